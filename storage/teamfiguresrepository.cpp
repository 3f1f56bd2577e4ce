#include "storage/teamfiguresrepository.h"

#include "storage/dialect.h"
#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

void bindSpan(SqlQuery &query, const QDateTime &from, const QDateTime &until)
{
    query.bindAll(
        {{QStringLiteral(":from"), toDbTime(from)}, {QStringLiteral(":until"), toDbTime(until)}});
}

} // namespace

std::vector<DailyLabelCount> TeamFiguresRepository::labelsPerDay(const QDateTime &from,
                                                                 const QDateTime &until) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT substr(l.created_at, 1, 10) AS day, u.name, COUNT(*)"
                                  " FROM labels l JOIN users u ON u.id = l.annotator_id"
                                  " WHERE l.created_at >= :from AND l.created_at < :until"
                                  " AND (l.retracted_at IS NULL OR l.retracted_by <> u.name)"
                                  " GROUP BY day, u.name ORDER BY day, u.name"),
                   QStringLiteral("count labels per day and annotator"));
    bindSpan(query, from, until);
    query.exec();
    std::vector<DailyLabelCount> counts;
    while (query.next()) {
        counts.push_back(
            {query.value(0).toString(), query.value(1).toString(), query.value(2).toInt()});
    }
    return counts;
}

std::vector<GoldAnswerRow> TeamFiguresRepository::goldAnswers(const QDateTime &from,
                                                              const QDateTime &until) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT u.name, l.created_at,"
                                  " CASE WHEN l.label IS NOT DISTINCT FROM g.label"
                                  " THEN 1 ELSE 0 END"
                                  " FROM labels l JOIN users u ON u.id = l.annotator_id"
                                  " JOIN gold_items g ON g.image_id = l.image_id"
                                  " WHERE l.gold_check = 1 AND l.retracted_at IS NULL"
                                  " AND l.created_at >= :from AND l.created_at < :until"
                                  " ORDER BY l.id"),
                   QStringLiteral("read the annotators' gold answers"));
    bindSpan(query, from, until);
    query.exec();
    std::vector<GoldAnswerRow> rows;
    while (query.next()) {
        rows.push_back({query.value(0).toString(), fromDbTime(query.value(1).toString()),
                        query.value(2).toInt() == 1});
    }
    return rows;
}

std::vector<ReviewedLabelRow> TeamFiguresRepository::reviewedLabels(const QDateTime &from,
                                                                    const QDateTime &until) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT u.name, l.created_at, l.label,"
                                  " CASE WHEN r.verdict = 'corrected' THEN r.corrected_label"
                                  " ELSE l.label END"
                                  " FROM labels l JOIN users u ON u.id = l.annotator_id"
                                  " JOIN reviews r ON r.label_id = l.id"
                                  " WHERE r.verdict IN ('approved', 'corrected')"
                                  " AND l.gold_check = 0"
                                  " AND l.created_at >= :from AND l.created_at < :until"
                                  " ORDER BY l.id"),
                   QStringLiteral("read the reviewed labels"));
    bindSpan(query, from, until);
    query.exec();
    std::vector<ReviewedLabelRow> rows;
    while (query.next()) {
        rows.push_back({query.value(0).toString(), fromDbTime(query.value(1).toString()),
                        labelsql::fromColumn(query.value(2)),
                        labelsql::fromColumn(query.value(3))});
    }
    return rows;
}

QueueState TeamFiguresRepository::queueState() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT"
                                  " (SELECT COUNT(*) FROM images WHERE status = :incoming),"
                                  " (SELECT MIN(imported_at) FROM images WHERE status = :incoming),"
                                  " (SELECT COUNT(*) FROM images WHERE status = :labelled)"),
                   QStringLiteral("read the queue's depth and the review backlog"));
    query.bindAll({{QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
                   {QStringLiteral(":labelled"), labelsql::toColumn(ImageStatus::Labelled)}});
    query.exec();
    QueueState state;
    if (query.next()) {
        state.incoming = query.value(0).toInt();
        if (!query.value(1).isNull()) {
            state.oldestIncoming = fromDbTime(query.value(1).toString());
        }
        state.labelled = query.value(2).toInt();
    }
    return state;
}

ServingTotals TeamFiguresRepository::servingTotals(qint64 firstMinute, qint64 endMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COALESCE(SUM(requests), 0), COALESCE(SUM(bad), 0)"
                                  " FROM serving_minutes WHERE minute >= :first AND minute < :end"),
                   QStringLiteral("add up the serving requests"));
    query.bindAll({{QStringLiteral(":first"), firstMinute}, {QStringLiteral(":end"), endMinute}});
    query.exec();
    ServingTotals totals;
    if (query.next()) {
        totals.requests = query.value(0).toLongLong();
        totals.bad = query.value(1).toLongLong();
    }
    return totals;
}

QHash<qint64, ImageOrigin>
TeamFiguresRepository::originsOf(const std::vector<qint64> &imageIds) const
{
    QHash<qint64, ImageOrigin> origins;
    if (imageIds.empty()) {
        return origins;
    }
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id, source, imported_at FROM images WHERE id IN (%1)")
                       .arg(Dialect::of(m_db).idsFromJsonArray(QStringLiteral(":ids"))),
                   QStringLiteral("read where images came from"));
    query.bind(QStringLiteral(":ids"), idsAsJsonArray(imageIds));
    query.exec();
    while (query.next()) {
        origins.insert(query.value(0).toLongLong(),
                       {query.value(1).toString(), fromDbTime(query.value(2).toString())});
    }
    return origins;
}

std::vector<AnnotatorFigures> TeamFiguresRepository::annotatorFigures() const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT u.id, u.name,"
            " (SELECT COUNT(*) FROM labels l WHERE l.annotator_id = u.id AND l.retracted_at IS NULL"
            "   AND l.gold_check = 0),"
            " (SELECT COUNT(DISTINCT r.label_id) FROM reviews r JOIN labels l ON l.id = r.label_id"
            "   WHERE l.annotator_id = u.id),"
            " (SELECT COUNT(DISTINCT r.label_id) FROM reviews r JOIN labels l ON l.id = r.label_id"
            "   WHERE l.annotator_id = u.id AND r.verdict = 'approved'),"
            " (SELECT COUNT(*) FROM labels l JOIN gold_items g ON g.image_id = l.image_id WHERE"
            "   l.annotator_id = u.id AND l.gold_check = 1),"
            " (SELECT COUNT(*) FROM labels l JOIN gold_items g ON g.image_id = l.image_id WHERE"
            "   l.annotator_id = u.id AND l.gold_check = 1 AND l.label IS NOT DISTINCT FROM"
            "   g.label)"
            " FROM users u ORDER BY u.name"),
        QStringLiteral("compute the annotators' figures"));
    query.exec();
    std::vector<AnnotatorFigures> figures;
    while (query.next()) {
        AnnotatorFigures row;
        row.userId = query.value(0).toLongLong();
        row.name = query.value(1).toString();
        row.labels = query.value(2).toInt();
        row.reviewed = query.value(3).toInt();
        row.approvedAsIs = query.value(4).toInt();
        row.goldAnswered = query.value(5).toInt();
        row.goldRight = query.value(6).toInt();
        if (row.labels > 0 || row.goldAnswered > 0) {
            figures.push_back(row);
        }
    }
    return figures;
}

std::vector<LabelPair> TeamFiguresRepository::sharedLabels(qint64 firstUserId,
                                                           qint64 secondUserId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT a.image_id, a.label, b.label FROM labels a"
            " JOIN labels b ON b.image_id = a.image_id WHERE a.annotator_id = :first AND"
            " b.annotator_id = :second AND a.retracted_at IS NULL AND b.retracted_at IS NULL"
            " AND a.gold_check = 0 AND b.gold_check = 0 ORDER BY a.image_id"),
        QStringLiteral("read shared labels"));
    query.bindAll(
        {{QStringLiteral(":first"), firstUserId}, {QStringLiteral(":second"), secondUserId}});
    query.exec();
    std::vector<LabelPair> pairs;
    while (query.next()) {
        pairs.push_back({query.value(0).toLongLong(), labelsql::fromColumn(query.value(1)),
                         labelsql::fromColumn(query.value(2))});
    }
    return pairs;
}

} // namespace digitdesk::storage
