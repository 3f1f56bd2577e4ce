#include "storage/reviewrepository.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

std::optional<qint64> ReviewRepository::nextForReview(qint64 reviewerId, qint64 modelId,
                                                      const QDateTime &now) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT i.id FROM images i WHERE i.status = :labelled"
            " AND NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = i.id AND b.retracted_at"
            "   IS NULL AND b.annotator_id = :reviewer)"
            // A suspected label error sent back goes to someone other than its approver.
            " AND NOT EXISTS (SELECT 1 FROM label_suspects s WHERE s.image_id = i.id AND"
            "   s.sent_at IS NOT NULL AND s.decided_at IS NULL AND s.previous_reviewer_id ="
            "   :reviewer)"
            " AND NOT EXISTS (SELECT 1 FROM leases le WHERE le.image_id = i.id AND le.user_id <>"
            "   :reviewer AND le.expires_at > :now)"
            " ORDER BY ((SELECT COUNT(DISTINCT %1) FROM labels b WHERE"
            "   b.image_id = i.id AND b.retracted_at IS NULL) > 1"
            "  OR EXISTS (SELECT 1 FROM labels b JOIN predictions p ON p.image_id = b.image_id"
            "   AND p.model_id = :model WHERE b.image_id = i.id AND b.retracted_at IS NULL AND"
            "   %1 <> p.label)) DESC, i.id LIMIT 1")
            .arg(labelsql::indexOf(QStringLiteral("b.label"))),
        QStringLiteral("choose the next image to review"));
    query.bindAll({{QStringLiteral(":labelled"), labelsql::toColumn(ImageStatus::Labelled)},
                   {QStringLiteral(":reviewer"), reviewerId},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":model"), modelId}});
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

QString ReviewRepository::lastRejection(qint64 imageId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT r.reviewer, r.comment FROM reviews r JOIN labels l ON l.id = r.label_id"
            " WHERE l.image_id = :image AND r.verdict = 'rejected' ORDER BY r.id DESC LIMIT 1"),
        QStringLiteral("read the last rejection of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return {};
    }
    const QString comment = query.value(1).toString();
    return comment.isEmpty() ? query.value(0).toString()
                             : QStringLiteral("%1: %2").arg(query.value(0).toString(), comment);
}

void ReviewRepository::addReview(qint64 labelId, const QString &verdict, MaybeLabel corrected,
                                 const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                                 const QString &comment)
{
    addReviewAt(labelId, verdict, corrected, reviewer, reviewerId, sessionId, comment, nowDbTime());
}

void ReviewRepository::addReviewAt(qint64 labelId, const QString &verdict, MaybeLabel corrected,
                                   const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                                   const QString &comment, const QString &decidedAt)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO reviews (label_id, verdict, corrected_label, reviewer,"
                       " reviewer_id, session_id, comment, created_at) VALUES (:label, :verdict,"
                       " :corrected, :reviewer, :reviewer_id, :session, :comment, :at)"),
        QStringLiteral("store a review of label #%1").arg(labelId));
    query.bindAll({{QStringLiteral(":label"), labelId},
                   {QStringLiteral(":verdict"), verdict},
                   {QStringLiteral(":corrected"), labelsql::toColumn(corrected)},
                   {QStringLiteral(":reviewer"), reviewer},
                   {QStringLiteral(":reviewer_id"), idOrNull(reviewerId)},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":comment"), textOrEmpty(comment)},
                   {QStringLiteral(":at"), decidedAt}});
    query.exec();
}

std::vector<ReviewRecord> ReviewRepository::lastReviewDecision(qint64 reviewerId,
                                                               qint64 sessionId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "WITH mine AS (SELECT r.id, r.label_id, l.image_id, r.verdict, r.created_at"
            "   FROM reviews r JOIN labels l ON l.id = r.label_id"
            "   WHERE r.reviewer_id = :reviewer AND COALESCE(r.session_id, 0) = :session),"
            " newest AS (SELECT image_id, created_at FROM mine ORDER BY id DESC LIMIT 1)"
            " SELECT m.id, m.label_id, m.image_id, m.verdict, m.created_at FROM mine m"
            " JOIN newest n ON n.image_id = m.image_id AND n.created_at = m.created_at"
            " ORDER BY m.id"),
        QStringLiteral("read the last review decision of user #%1").arg(reviewerId));
    query.bindAll(
        {{QStringLiteral(":reviewer"), reviewerId}, {QStringLiteral(":session"), sessionId}});
    query.exec();
    std::vector<ReviewRecord> rows;
    while (query.next()) {
        rows.push_back({query.value(0).toLongLong(), query.value(1).toLongLong(),
                        query.value(2).toLongLong(), query.value(3).toString(),
                        query.value(4).toString()});
    }
    return rows;
}

void ReviewRepository::deleteReview(qint64 reviewId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM reviews WHERE id = :id"),
                   QStringLiteral("delete review #%1").arg(reviewId));
    query.bind(QStringLiteral(":id"), reviewId);
    query.exec();
}

} // namespace digitdesk::storage
