#pragma once

// What the annotate view's suites (tst_annotateview, tst_annotatekeys, tst_annotatehistory)
// read back from the database.
#include "storage/label.h"
#include "storage/labelrepository.h"
#include "storage/sqlquery.h"

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::testing {

inline qint64 scalar(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

// The image's standing label as labels.csv writes it ("0"-"9", "x"); "none" when it has none.
inline QString standingLabel(const QSqlDatabase &db, qint64 image)
{
    const auto labels = storage::LabelRepository(db).activeLabels(image);
    return labels.empty() ? QStringLiteral("none") : labels.front().label.text();
}

} // namespace digitdesk::testing
