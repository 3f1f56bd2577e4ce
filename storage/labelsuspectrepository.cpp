#include "storage/labelsuspectrepository.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectSuspect = QStringLiteral(
    "SELECT id, check_id, rank, sha256, given_label, suspected_label, confidence, margin,"
    " image_id, sent_at, sent_by, previous_reviewer, previous_reviewer_id, decided_at,"
    " decided_by, decision, decided_label FROM label_suspects");

QDateTime optionalTime(const QVariant &value)
{
    return value.isNull() ? QDateTime() : fromDbTime(value.toString());
}

LabelSuspectRow readSuspect(const SqlQuery &query)
{
    LabelSuspectRow row;
    row.id = query.value(0).toLongLong();
    row.checkId = query.value(1).toLongLong();
    row.rank = query.value(2).toInt();
    row.sha256 = query.value(3).toString();
    row.givenLabel = query.value(4).toInt();
    row.suspectedLabel = query.value(5).toInt();
    row.confidence = query.value(6).toDouble();
    row.margin = query.value(7).toDouble();
    row.imageId = query.value(8).toLongLong();
    row.sentAt = optionalTime(query.value(9));
    row.sentBy = query.value(10).toString();
    row.previousReviewer = query.value(11).toString();
    row.previousReviewerId = query.value(12).toLongLong();
    row.decidedAt = optionalTime(query.value(13));
    row.decidedBy = query.value(14).toString();
    row.decision = query.value(15).toString();
    if (!query.value(16).isNull()) {
        row.decidedLabel = labelsql::fromColumn(query.value(16));
    }
    return row;
}

} // namespace

void LabelSuspectRepository::add(qint64 checkId, const std::vector<LabelSuspectRow> &rows)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO label_suspects (check_id, rank, sha256, given_label,"
                       " suspected_label, confidence, margin) VALUES (:check, :rank,"
                       " :sha, :given, :suspected, :confidence, :margin)"),
        QStringLiteral("store the suspected label errors of data check %1").arg(checkId));
    for (const LabelSuspectRow &row : rows) {
        query.bindAll({{QStringLiteral(":check"), checkId},
                       {QStringLiteral(":rank"), row.rank},
                       {QStringLiteral(":sha"), row.sha256},
                       {QStringLiteral(":given"), row.givenLabel},
                       {QStringLiteral(":suspected"), row.suspectedLabel},
                       {QStringLiteral(":confidence"), row.confidence},
                       {QStringLiteral(":margin"), row.margin}});
        query.exec();
    }
}

std::vector<LabelSuspectRow> LabelSuspectRepository::forCheck(qint64 checkId) const
{
    SqlQuery query(m_db, SelectSuspect + QStringLiteral(" WHERE check_id = :check ORDER BY rank"),
                   QStringLiteral("read the suspected label errors of data check %1").arg(checkId));
    query.bind(QStringLiteral(":check"), checkId);
    query.exec();
    std::vector<LabelSuspectRow> rows;
    while (query.next()) {
        rows.push_back(readSuspect(query));
    }
    return rows;
}

std::optional<ApprovedBy> LabelSuspectRepository::approvedBy(const QString &sha256) const
{
    // The standing label is the newest one not retracted; its newest review that is not a
    // rejection is the approval it stands on.
    SqlQuery query(
        m_db,
        QStringLiteral("SELECT i.id, i.status, r.reviewer, r.reviewer_id FROM images i"
                       " LEFT JOIN labels l ON l.id = (SELECT MAX(s.id) FROM labels s WHERE"
                       "   s.image_id = i.id AND s.retracted_at IS NULL AND s.gold_check = 0)"
                       " LEFT JOIN reviews r ON r.id = (SELECT MAX(v.id) FROM reviews v WHERE"
                       "   v.label_id = l.id AND v.verdict <> 'rejected')"
                       " WHERE i.sha256 = :sha"),
        QStringLiteral("find image %1 and who approved it").arg(sha256));
    query.bind(QStringLiteral(":sha"), sha256);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return ApprovedBy{query.value(0).toLongLong(), labelsql::statusFromColumn(query.value(1)),
                      query.value(2).toString(), query.value(3).toLongLong()};
}

bool LabelSuspectRepository::isPending(qint64 imageId) const
{
    return pendingFor(imageId).has_value();
}

void LabelSuspectRepository::markSent(qint64 suspectId, const ApprovedBy &image,
                                      const ActorRef &sender)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE label_suspects SET image_id = :image, sent_at = :at,"
                                  " sent_by = :by, previous_reviewer = :reviewer,"
                                  " previous_reviewer_id = :reviewer_id"
                                  " WHERE id = :id AND sent_at IS NULL"),
                   QStringLiteral("send suspected label error #%1 to review").arg(suspectId));
    query.bindAll({{QStringLiteral(":image"), image.imageId},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), sender.name},
                   {QStringLiteral(":reviewer"), textOrEmpty(image.reviewer)},
                   {QStringLiteral(":reviewer_id"), idOrNull(image.reviewerId)},
                   {QStringLiteral(":id"), suspectId}});
    query.exec();
}

std::optional<LabelSuspectRow> LabelSuspectRepository::pendingFor(qint64 imageId) const
{
    SqlQuery query(m_db,
                   SelectSuspect + QStringLiteral(" WHERE image_id = :image AND sent_at IS NOT NULL"
                                                  " AND decided_at IS NULL ORDER BY id DESC"
                                                  " LIMIT 1"),
                   QStringLiteral("find the suspected label error of image %1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readSuspect(query);
}

void LabelSuspectRepository::decide(qint64 suspectId, bool confirmed, MaybeLabel decidedLabel,
                                    const ActorRef &reviewer)
{
    SqlQuery query(
        m_db,
        QStringLiteral("UPDATE label_suspects SET decided_at = :at, decided_by = :by,"
                       " decided_by_id = :by_id, decision = :decision,"
                       " decided_label = :label WHERE id = :id AND decided_at IS NULL"),
        QStringLiteral("record the decision on suspected label error #%1").arg(suspectId));
    query.bindAll({{QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), reviewer.name},
                   {QStringLiteral(":by_id"), idOrNull(reviewer.userId)},
                   {QStringLiteral(":decision"),
                    confirmed ? QStringLiteral("confirmed") : QStringLiteral("not_confirmed")},
                   {QStringLiteral(":label"), labelsql::toColumn(decidedLabel)},
                   {QStringLiteral(":id"), suspectId}});
    query.exec();
}

void LabelSuspectRepository::reopenDecision(qint64 imageId, qint64 reviewerId)
{
    SqlQuery query(
        m_db,
        QStringLiteral("UPDATE label_suspects SET decided_at = NULL, decided_by = NULL,"
                       " decided_by_id = NULL, decision = NULL, decided_label = NULL"
                       " WHERE id = (SELECT MAX(id) FROM label_suspects WHERE image_id = :image"
                       " AND decided_at IS NOT NULL AND decided_by_id = :reviewer)"),
        QStringLiteral("reopen the suspected label error of image %1").arg(imageId));
    query.bindAll(
        {{QStringLiteral(":image"), imageId}, {QStringLiteral(":reviewer"), idOrNull(reviewerId)}});
    query.exec();
}

SuspectDecisions LabelSuspectRepository::decisions() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(sent_at), COUNT(decided_at),"
                                  " COALESCE(SUM(CASE WHEN decision = 'confirmed' THEN 1 ELSE 0"
                                  " END), 0) FROM label_suspects"),
                   QStringLiteral("count the decisions on suspected label errors"));
    query.exec();
    SuspectDecisions decisions;
    if (query.next()) {
        decisions.sent = query.value(0).toInt();
        decisions.decided = query.value(1).toInt();
        decisions.confirmed = query.value(2).toInt();
    }
    return decisions;
}

} // namespace digitdesk::storage
