#include "storage/settingsrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

QString SettingsRepository::value(const QString &key, const QString &fallback) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT value FROM settings WHERE key = :key"),
                   QStringLiteral("read setting %1").arg(key));
    query.bind(QStringLiteral(":key"), key);
    query.exec();
    return query.next() ? query.value(0).toString() : fallback;
}

int SettingsRepository::intValue(const QString &key, int fallback) const
{
    bool ok = false;
    const int parsed = value(key).toInt(&ok);
    return ok ? parsed : fallback;
}

double SettingsRepository::numberValue(const QString &key, double fallback, double minimum,
                                       double maximum) const
{
    bool ok = false;
    const double parsed = value(key).toDouble(&ok);
    return ok && parsed >= minimum && parsed <= maximum ? parsed : fallback;
}

void SettingsRepository::setValue(const QString &key, const QString &value)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO settings (key, value, updated_at) VALUES (:key,"
                                  " :value, :at) ON CONFLICT (key) DO UPDATE SET value ="
                                  " excluded.value, updated_at = excluded.updated_at"),
                   QStringLiteral("write setting %1").arg(key));
    query.bindAll({{QStringLiteral(":key"), key},
                   {QStringLiteral(":value"), textOrEmpty(value)},
                   {QStringLiteral(":at"), nowDbTime()}});
    query.exec();
}

} // namespace digitdesk::storage
