#include "storage/approvalcounter.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

qint64 ApprovalCounter::approvedAfter(const QDateTime &after) const
{
    // The approval time of DatasetVersionRepository::approvedImages(), counted in SQL.
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT COUNT(*) FROM images i"
            " JOIN labels l ON l.id = (SELECT MAX(s.id) FROM labels s WHERE s.image_id = i.id"
            "   AND s.retracted_at IS NULL AND s.gold_check = 0)"
            " LEFT JOIN reviews r ON r.id = (SELECT MAX(v.id) FROM reviews v WHERE"
            "   v.label_id = l.id AND v.verdict <> 'rejected')"
            " WHERE i.status = :approved AND COALESCE(r.created_at, i.imported_at) > :after"),
        QStringLiteral("count the labels approved since %1")
            .arg(after.isValid() ? toDbTime(after) : QStringLiteral("the start")));
    query.bindAll(
        {{QStringLiteral(":approved"), labelsql::toColumn(ImageStatus::Approved)},
         {QStringLiteral(":after"), after.isValid() ? toDbTime(after) : QStringLiteral("")}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace digitdesk::storage
