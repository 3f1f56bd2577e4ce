#include "storage/timestamps.h"

namespace digitdesk::storage {

QString toDbTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime fromDbTime(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    time.setTimeSpec(Qt::UTC);
    return time;
}

QString nowDbTime()
{
    return toDbTime(QDateTime::currentDateTimeUtc());
}

} // namespace digitdesk::storage
