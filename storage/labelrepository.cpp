#include "storage/labelrepository.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectLabel =
    QStringLiteral("SELECT l.id, l.image_id, l.label, COALESCE(l.annotator_id, 0),"
                   " COALESCE(u.name, l.origin), l.created_at,"
                   " EXISTS (SELECT 1 FROM reviews r WHERE r.label_id = l.id)"
                   " FROM labels l LEFT JOIN users u ON u.id = l.annotator_id");

// Newest decision first, a decision dated by the annotator's first label of the image: a label
// changed later (from the history) keeps its place instead of jumping to the front.
const QString DecisionOrder = QStringLiteral(
    " ORDER BY (SELECT MIN(f.id) FROM labels f WHERE f.image_id = l.image_id AND f.annotator_id ="
    " l.annotator_id AND f.gold_check = l.gold_check) DESC, l.id DESC");

LabelRow readLabel(const SqlQuery &query)
{
    LabelRow row;
    row.id = query.value(0).toLongLong();
    row.imageId = query.value(1).toLongLong();
    row.label = labelsql::fromColumn(query.value(2));
    row.annotatorId = query.value(3).toLongLong();
    row.annotator = query.value(4).toString();
    row.createdAt = fromDbTime(query.value(5).toString());
    row.reviewed = query.value(6).toBool();
    return row;
}

} // namespace

qint64 LabelRepository::addLabel(qint64 imageId, Label label, qint64 userId, qint64 sessionId,
                                 qint64 timeSpentMs, bool goldCheck)
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "INSERT INTO labels (image_id, label, origin, annotator_id, session_id,"
            " created_at, time_spent_ms, gold_check) VALUES (:image, :label, 'annotator',"
            " :user, :session, :at, :ms, :gold) RETURNING id"),
        QStringLiteral("store a label for image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":label"), labelsql::toColumn(label)},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":ms"), timeSpentMs},
                   {QStringLiteral(":gold"), goldCheck ? 1 : 0}});
    return query.insertReturningId();
}

int LabelRepository::activeLabelCount(qint64 imageId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT COUNT(*) FROM labels WHERE image_id = :image AND retracted_at IS NULL"
            " AND gold_check = 0"),
        QStringLiteral("count the labels of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    return query.next() ? query.value(0).toInt() : 0;
}

bool LabelRepository::isGoldCheck(qint64 labelId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT gold_check FROM labels WHERE id = :id"),
                   QStringLiteral("read label #%1").arg(labelId));
    query.bind(QStringLiteral(":id"), labelId);
    query.exec();
    return query.next() && query.value(0).toInt() != 0;
}

bool LabelRepository::hasStandingLabel(qint64 imageId, qint64 userId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE image_id = :image AND"
                                  " annotator_id = :user AND retracted_at IS NULL"),
                   QStringLiteral("look for a label of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId}, {QStringLiteral(":user"), userId}});
    query.exec();
    return query.next() && query.value(0).toInt() > 0;
}

void LabelRepository::retractLabel(qint64 labelId, const QString &by)
{
    SqlQuery query(
        m_db,
        QStringLiteral("UPDATE labels SET retracted_at = :at, retracted_by = :by WHERE id = :id"
                       " AND retracted_at IS NULL"),
        QStringLiteral("retract label #%1").arg(labelId));
    query.bindAll({{QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), by},
                   {QStringLiteral(":id"), labelId}});
    query.exec();
}

void LabelRepository::restoreLabel(qint64 labelId)
{
    SqlQuery query(
        m_db,
        QStringLiteral("UPDATE labels SET retracted_at = NULL, retracted_by = NULL WHERE id = :id"),
        QStringLiteral("restore label #%1").arg(labelId));
    query.bind(QStringLiteral(":id"), labelId);
    query.exec();
}

std::vector<LabelRow> LabelRepository::activeLabels(qint64 imageId) const
{
    SqlQuery query(
        m_db,
        SelectLabel +
            QStringLiteral(" WHERE l.image_id = :image AND l.retracted_at IS NULL ORDER BY l.id"),
        QStringLiteral("read the labels of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    std::vector<LabelRow> rows;
    while (query.next()) {
        rows.push_back(readLabel(query));
    }
    return rows;
}

std::optional<LabelRow> LabelRepository::lastActiveLabelBy(qint64 userId) const
{
    SqlQuery query(m_db,
                   SelectLabel +
                       QStringLiteral(" WHERE l.annotator_id = :user AND l.retracted_at"
                                      " IS NULL") +
                       DecisionOrder + QStringLiteral(" LIMIT 1"),
                   QStringLiteral("read the last label of user #%1").arg(userId));
    query.bind(QStringLiteral(":user"), userId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readLabel(query);
}

std::optional<LabelRow> LabelRepository::findLabel(qint64 labelId) const
{
    SqlQuery query(m_db,
                   SelectLabel + QStringLiteral(" WHERE l.id = :id AND l.retracted_at IS NULL"),
                   QStringLiteral("read label #%1").arg(labelId));
    query.bind(QStringLiteral(":id"), labelId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readLabel(query);
}

std::vector<LabelRow> LabelRepository::historyOf(qint64 userId, int limit) const
{
    SqlQuery query(m_db,
                   SelectLabel +
                       QStringLiteral(" WHERE l.annotator_id = :user AND l.retracted_at"
                                      " IS NULL") +
                       DecisionOrder + QStringLiteral(" LIMIT :limit"),
                   QStringLiteral("read the label history of user #%1").arg(userId));
    query.bindAll({{QStringLiteral(":user"), userId}, {QStringLiteral(":limit"), limit}});
    query.exec();
    std::vector<LabelRow> rows;
    while (query.next()) {
        rows.push_back(readLabel(query));
    }
    return rows;
}

qint64 LabelRepository::labelCountBy(qint64 userId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE annotator_id = :user"
                                  " AND retracted_at IS NULL"),
                   QStringLiteral("count the labels of user #%1").arg(userId));
    query.bind(QStringLiteral(":user"), userId);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

qint64 LabelRepository::labelsGivenSince(qint64 userId, const QDateTime &from) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels l JOIN users u ON u.id ="
                                  " l.annotator_id WHERE l.annotator_id = :user"
                                  " AND l.created_at >= :from"
                                  " AND (l.retracted_at IS NULL OR l.retracted_by <> u.name)"),
                   QStringLiteral("count the labels of user #%1 since %2")
                       .arg(userId)
                       .arg(from.toString(Qt::ISODate)));
    query.bindAll({{QStringLiteral(":user"), userId}, {QStringLiteral(":from"), toDbTime(from)}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::optional<ImageStatus> LabelRepository::status(qint64 imageId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT status FROM images WHERE id = :id"),
                   QStringLiteral("read the status of image #%1").arg(imageId));
    query.bind(QStringLiteral(":id"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return labelsql::statusFromColumn(query.value(0));
}

void LabelRepository::setStatus(qint64 imageId, ImageStatus status)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE images SET status = :status WHERE id = :id"),
                   QStringLiteral("set the status of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":status"), labelsql::toColumn(status)},
                   {QStringLiteral(":id"), imageId}});
    query.exec();
}

} // namespace digitdesk::storage
