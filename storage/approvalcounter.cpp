#include "storage/approvalcounter.h"

#include "storage/labelsql.h"
#include "storage/private/approvedimagessql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

qint64 ApprovalCounter::approvedAfter(const QDateTime &after) const
{
    // The approval time of DatasetVersionRepository::approvedImages(), counted in SQL.
    SqlQuery query(
        m_db,
        detail::approvedImagesWithStandingLabel({}) +
            QStringLiteral("SELECT COUNT(*) FROM approved i LEFT JOIN reviews r ON r.id ="
                           " i.review_id WHERE COALESCE(r.created_at, i.imported_at) > :after"),
        QStringLiteral("count the labels approved since %1")
            .arg(after.isValid() ? toDbTime(after) : QStringLiteral("the start")));
    query.bindAll(
        {{QStringLiteral(":approved"), labelsql::toColumn(ImageStatus::Approved)},
         {QStringLiteral(":after"), after.isValid() ? toDbTime(after) : QStringLiteral("")}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace digitdesk::storage
