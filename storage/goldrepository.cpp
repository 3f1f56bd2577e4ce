#include "storage/goldrepository.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

void GoldRepository::markGold(qint64 imageId, Label label, const QString &by, qint64 userId,
                              qint64 sessionId)
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "INSERT INTO gold_items (image_id, label, marked_by, user_id, session_id, marked_at)"
            " VALUES (:image, :label, :by, :user, :session, :at) ON CONFLICT (image_id) DO"
            " UPDATE SET label = excluded.label"),
        QStringLiteral("mark image #%1 as gold").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":label"), labelsql::toColumn(label)},
                   {QStringLiteral(":by"), by},
                   {QStringLiteral(":user"), idOrNull(userId)},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":at"), nowDbTime()}});
    query.exec();
}

MaybeLabel GoldRepository::goldLabel(qint64 imageId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT label FROM gold_items WHERE image_id = :image"),
                   QStringLiteral("read the gold label of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return labelsql::fromColumn(query.value(0));
}

std::vector<qint64> GoldRepository::goldCandidates(qint64 userId, const QDateTime &now,
                                                   int limit) const
{
    SqlQuery query(
        m_db,
        QStringLiteral("SELECT g.image_id FROM gold_items g WHERE"
                       " NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = g.image_id AND"
                       "   b.annotator_id = :user AND b.retracted_at IS NULL)"
                       " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = g.image_id AND"
                       "   l.user_id <> :user AND l.expires_at > :now)"
                       " ORDER BY g.image_id LIMIT :limit"),
        QStringLiteral("choose gold items"));
    query.bindAll({{QStringLiteral(":user"), userId},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":limit"), limit}});
    query.exec();
    std::vector<qint64> ids;
    while (query.next()) {
        ids.push_back(query.value(0).toLongLong());
    }
    return ids;
}

std::optional<qint64> GoldRepository::goldMarkedBy(qint64 imageId) const
{
    SqlQuery query(
        m_db, QStringLiteral("SELECT COALESCE(user_id, 0) FROM gold_items WHERE image_id = :image"),
        QStringLiteral("read who marked image #%1 gold").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

int GoldRepository::goldAnswerCount(qint64 imageId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE image_id = :image AND"
                                  " gold_check = 1 AND retracted_at IS NULL"),
                   QStringLiteral("count the gold answers on image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    return query.next() ? query.value(0).toInt() : 0;
}

void GoldRepository::unmarkGold(qint64 imageId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM gold_items WHERE image_id = :image"),
                   QStringLiteral("unmark gold image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
}

} // namespace digitdesk::storage
