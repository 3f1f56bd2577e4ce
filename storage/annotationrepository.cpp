#include "storage/annotationrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

#include <QSet>
#include <QStringList>

#include <algorithm>

namespace digitdesk::storage {
namespace {

// Incoming images this user may be given: not leased by someone else, not labelled by them.
// Walks the images_queue index in order and stops at the first that fits.
const QString Candidates = QStringLiteral(
    " FROM images i WHERE i.status = 'incoming'"
    " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = i.id AND l.user_id <> :user"
    "   AND l.expires_at > :now)"
    " AND NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = i.id AND b.annotator_id = :user"
    "   AND b.retracted_at IS NULL)");

const QString NotSkipped = QStringLiteral(
    " AND NOT EXISTS (SELECT 1 FROM skips s WHERE s.image_id = i.id AND s.user_id = :user)");

// Lowest calibrated confidence first (images without a prediction, at -1, before all),
// smallest margin, oldest; or the reverse, to audit the model's most confident answers.
QString orderBy(bool mostConfident)
{
    return mostConfident
               ? QStringLiteral(" ORDER BY i.queue_confidence DESC, i.queue_margin DESC, i.id DESC")
               : QStringLiteral(" ORDER BY i.queue_confidence, i.queue_margin, i.id");
}

const QString SelectLabel =
    QStringLiteral("SELECT l.id, l.image_id, COALESCE(l.label, -1), COALESCE(l.annotator_id, 0),"
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
    row.label = query.value(2).toInt();
    row.annotatorId = query.value(3).toLongLong();
    row.annotator = query.value(4).toString();
    row.createdAt = fromDbTime(query.value(5).toString());
    row.reviewed = query.value(6).toBool();
    return row;
}

} // namespace

std::vector<qint64> AnnotationRepository::candidates(qint64 userId, const QDateTime &now,
                                                     bool skippedToo, bool mostConfident,
                                                     int limit) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT i.id") + Candidates +
                       (skippedToo ? QString() : NotSkipped) + orderBy(mostConfident) +
                       QStringLiteral(" LIMIT :limit"),
                   QStringLiteral("choose images to label"));
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

bool AnnotationRepository::isOpenFor(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return !stillOpenFor({imageId}, userId, now).empty();
}

std::vector<qint64> AnnotationRepository::mostConfident(qint64 userId, const QDateTime &now,
                                                        int count) const
{
    return candidates(userId, now, false, true, count);
}

void AnnotationRepository::lease(qint64 imageId, qint64 userId, qint64 sessionId,
                                 const QDateTime &now, int seconds)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO leases (image_id, user_id, session_id, leased_at, expires_at)"
                       " VALUES (:image, :user, :session, :now, :until) ON CONFLICT (image_id)"
                       " DO UPDATE SET user_id = excluded.user_id, session_id ="
                       " excluded.session_id, leased_at = excluded.leased_at, expires_at ="
                       " excluded.expires_at"),
        QStringLiteral("lease image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":until"), toDbTime(now.addSecs(seconds))}});
    query.exec();
}

bool AnnotationRepository::activeLease(qint64 imageId, qint64 userId, const QDateTime &now,
                                       bool heldByUser) const
{
    SqlQuery query(
        m_db,
        QStringLiteral("SELECT COUNT(*) FROM leases WHERE image_id = :image AND expires_at > :now"
                       " AND CASE WHEN user_id = :user THEN 1 ELSE 0 END = :mine"),
        QStringLiteral("check the lease of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":mine"), heldByUser ? 1 : 0}});
    query.exec();
    return query.next() && query.value(0).toInt() > 0;
}

bool AnnotationRepository::holdsLease(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return activeLease(imageId, userId, now, true);
}

bool AnnotationRepository::leasedByOther(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return activeLease(imageId, userId, now, false);
}

void AnnotationRepository::releaseLease(qint64 imageId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM leases WHERE image_id = :image"),
                   QStringLiteral("release the lease of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
}

void AnnotationRepository::releaseLeasesOf(qint64 userId, qint64 sessionId)
{
    SqlQuery query(m_db,
                   QStringLiteral("DELETE FROM leases WHERE user_id = :user AND (session_id ="
                                  " :session OR session_id IS NULL)"),
                   QStringLiteral("release the leases of login session #%1").arg(sessionId));
    query.bindAll({{QStringLiteral(":user"), userId}, {QStringLiteral(":session"), sessionId}});
    query.exec();
}

void AnnotationRepository::releaseLeasesExcept(qint64 userId, qint64 sessionId,
                                               const std::vector<qint64> &keep)
{
    SqlQuery select(m_db,
                    QStringLiteral("SELECT image_id FROM leases WHERE user_id = :user AND"
                                   " (session_id = :session OR session_id IS NULL)"),
                    QStringLiteral("read the leases of login session #%1").arg(sessionId));
    select.bindAll({{QStringLiteral(":user"), userId}, {QStringLiteral(":session"), sessionId}});
    select.exec();
    std::vector<qint64> release;
    while (select.next()) {
        const qint64 id = select.value(0).toLongLong();
        if (std::find(keep.begin(), keep.end(), id) == keep.end()) {
            release.push_back(id);
        }
    }
    for (qint64 id : release) {
        releaseLease(id);
    }
}

QHash<qint64, QDateTime> AnnotationRepository::leaseExpiries(qint64 userId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT image_id, expires_at FROM leases WHERE user_id = :user"),
                   QStringLiteral("read the leases of user #%1").arg(userId));
    query.bind(QStringLiteral(":user"), userId);
    query.exec();
    QHash<qint64, QDateTime> expiries;
    while (query.next()) {
        expiries.insert(query.value(0).toLongLong(), fromDbTime(query.value(1).toString()));
    }
    return expiries;
}

std::vector<qint64> AnnotationRepository::stillOpenFor(const std::vector<qint64> &imageIds,
                                                       qint64 userId, const QDateTime &now) const
{
    if (imageIds.empty()) {
        return {};
    }
    // One statement for the whole strip: the ids are bound as one JSON array.
    QStringList numbers;
    for (qint64 id : imageIds) {
        numbers << QString::number(id);
    }
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT i.id FROM images i WHERE i.id IN (SELECT value FROM json_each(:ids))"
            " AND (i.status = 'incoming' OR EXISTS (SELECT 1 FROM gold_items g WHERE g.image_id ="
            "   i.id))"
            " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = i.id AND l.user_id <> :user"
            "   AND l.expires_at > :now)"
            " AND NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = i.id AND b.annotator_id ="
            "   :user AND b.retracted_at IS NULL)"),
        QStringLiteral("check that the planned images are still to label"));
    query.bindAll({{QStringLiteral(":ids"),
                    QLatin1Char('[') + numbers.join(QLatin1Char(',')) + QLatin1Char(']')},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":now"), toDbTime(now)}});
    query.exec();
    QSet<qint64> open;
    while (query.next()) {
        open.insert(query.value(0).toLongLong());
    }
    std::vector<qint64> ordered;
    for (qint64 id : imageIds) {
        if (open.contains(id)) {
            ordered.push_back(id);
        }
    }
    return ordered;
}

bool AnnotationRepository::isGoldCheck(qint64 labelId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT gold_check FROM labels WHERE id = :id"),
                   QStringLiteral("read label #%1").arg(labelId));
    query.bind(QStringLiteral(":id"), labelId);
    query.exec();
    return query.next() && query.value(0).toInt() != 0;
}

bool AnnotationRepository::hasStandingLabel(qint64 imageId, qint64 userId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE image_id = :image AND"
                                  " annotator_id = :user AND retracted_at IS NULL"),
                   QStringLiteral("look for a label of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId}, {QStringLiteral(":user"), userId}});
    query.exec();
    return query.next() && query.value(0).toInt() > 0;
}

qint64 AnnotationRepository::addLabel(qint64 imageId, int label, qint64 userId, qint64 sessionId,
                                      qint64 timeSpentMs, bool goldCheck)
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "INSERT INTO labels (image_id, label, origin, annotator_id, session_id,"
            " created_at, time_spent_ms, gold_check) VALUES (:image, :label, 'annotator',"
            " :user, :session, :at, :ms, :gold)"),
        QStringLiteral("store a label for image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":label"), label >= 0 ? QVariant(label) : QVariant()},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":ms"), timeSpentMs},
                   {QStringLiteral(":gold"), goldCheck ? 1 : 0}});
    query.exec();
    return query.lastInsertId();
}

int AnnotationRepository::activeLabelCount(qint64 imageId) const
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

void AnnotationRepository::markGold(qint64 imageId, int label, const QString &by, qint64 userId,
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
                   {QStringLiteral(":label"), label >= 0 ? QVariant(label) : QVariant()},
                   {QStringLiteral(":by"), by},
                   {QStringLiteral(":user"), idOrNull(userId)},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":at"), nowDbTime()}});
    query.exec();
}

std::optional<int> AnnotationRepository::goldLabel(qint64 imageId) const
{
    SqlQuery query(
        m_db, QStringLiteral("SELECT COALESCE(label, -1) FROM gold_items WHERE image_id = :image"),
        QStringLiteral("read the gold label of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toInt();
}

std::vector<qint64> AnnotationRepository::goldCandidates(qint64 userId, const QDateTime &now,
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

std::vector<AnnotatorFigures> AnnotationRepository::annotatorFigures() const
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
            "   l.annotator_id = u.id AND l.gold_check = 1 AND COALESCE(l.label, -1) ="
            "   COALESCE(g.label, -1))"
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

std::vector<LabelPair> AnnotationRepository::sharedLabels(qint64 firstUserId,
                                                          qint64 secondUserId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT a.image_id, COALESCE(a.label, -1), COALESCE(b.label, -1) FROM labels a"
            " JOIN labels b ON b.image_id = a.image_id WHERE a.annotator_id = :first AND"
            " b.annotator_id = :second AND a.retracted_at IS NULL AND b.retracted_at IS NULL"
            " AND a.gold_check = 0 AND b.gold_check = 0 ORDER BY a.image_id"),
        QStringLiteral("read shared labels"));
    query.bindAll(
        {{QStringLiteral(":first"), firstUserId}, {QStringLiteral(":second"), secondUserId}});
    query.exec();
    std::vector<LabelPair> pairs;
    while (query.next()) {
        pairs.push_back(
            {query.value(0).toLongLong(), query.value(1).toInt(), query.value(2).toInt()});
    }
    return pairs;
}

void AnnotationRepository::retractLabel(qint64 labelId, const QString &by)
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

void AnnotationRepository::addSkip(qint64 imageId, qint64 userId, qint64 sessionId)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO skips (image_id, user_id, session_id, skipped_at) VALUES"
                       " (:image, :user, :session, :at)"),
        QStringLiteral("record a skip of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":at"), nowDbTime()}});
    query.exec();
}

std::vector<LabelRow> AnnotationRepository::activeLabels(qint64 imageId) const
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

std::optional<LabelRow> AnnotationRepository::lastActiveLabelBy(qint64 userId) const
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

std::optional<LabelRow> AnnotationRepository::findLabel(qint64 labelId) const
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

std::vector<LabelRow> AnnotationRepository::historyOf(qint64 userId, int limit) const
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

qint64 AnnotationRepository::labelCountBy(qint64 userId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE annotator_id = :user"
                                  " AND retracted_at IS NULL"),
                   QStringLiteral("count the labels of user #%1").arg(userId));
    query.bind(QStringLiteral(":user"), userId);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

QString AnnotationRepository::status(qint64 imageId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT status FROM images WHERE id = :id"),
                   QStringLiteral("read the status of image #%1").arg(imageId));
    query.bind(QStringLiteral(":id"), imageId);
    query.exec();
    return query.next() ? query.value(0).toString() : QString();
}

void AnnotationRepository::setStatus(qint64 imageId, const QString &status)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE images SET status = :status WHERE id = :id"),
                   QStringLiteral("set the status of image #%1").arg(imageId));
    query.bindAll({{QStringLiteral(":status"), status}, {QStringLiteral(":id"), imageId}});
    query.exec();
}

QString AnnotationRepository::lastRejection(qint64 imageId) const
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

std::optional<qint64> AnnotationRepository::nextForReview(qint64 reviewerId, qint64 modelId) const
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT i.id FROM images i WHERE i.status = 'labelled'"
            " AND NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = i.id AND b.retracted_at"
            "   IS NULL AND b.annotator_id = :reviewer)"
            // A suspected label error sent back goes to someone other than its approver.
            " AND NOT EXISTS (SELECT 1 FROM label_suspects s WHERE s.image_id = i.id AND"
            "   s.sent_at IS NOT NULL AND s.decided_at IS NULL AND s.previous_reviewer_id ="
            "   :reviewer)"
            " ORDER BY ((SELECT COUNT(DISTINCT COALESCE(b.label, -1)) FROM labels b WHERE"
            "   b.image_id = i.id AND b.retracted_at IS NULL) > 1"
            "  OR EXISTS (SELECT 1 FROM labels b JOIN predictions p ON p.image_id = b.image_id"
            "   AND p.model_id = :model WHERE b.image_id = i.id AND b.retracted_at IS NULL AND"
            "   COALESCE(b.label, -1) <> p.label)) DESC, i.id LIMIT 1"),
        QStringLiteral("choose the next image to review"));
    query.bindAll({{QStringLiteral(":reviewer"), reviewerId}, {QStringLiteral(":model"), modelId}});
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

void AnnotationRepository::addReview(qint64 labelId, const QString &verdict, int correctedLabel,
                                     const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                                     const QString &comment)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO reviews (label_id, verdict, corrected_label, reviewer,"
                       " reviewer_id, session_id, comment, created_at) VALUES (:label, :verdict,"
                       " :corrected, :reviewer, :reviewer_id, :session, :comment, :at)"),
        QStringLiteral("store a review of label #%1").arg(labelId));
    query.bindAll({{QStringLiteral(":label"), labelId},
                   {QStringLiteral(":verdict"), verdict},
                   {QStringLiteral(":corrected"),
                    correctedLabel >= 0 ? QVariant(correctedLabel) : QVariant()},
                   {QStringLiteral(":reviewer"), reviewer},
                   {QStringLiteral(":reviewer_id"), idOrNull(reviewerId)},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":comment"), comment.isNull() ? QStringLiteral("") : comment},
                   {QStringLiteral(":at"), nowDbTime()}});
    query.exec();
}

void AnnotationRepository::addReviewAt(qint64 labelId, const QString &verdict, int correctedLabel,
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
                   {QStringLiteral(":corrected"),
                    correctedLabel >= 0 ? QVariant(correctedLabel) : QVariant()},
                   {QStringLiteral(":reviewer"), reviewer},
                   {QStringLiteral(":reviewer_id"), idOrNull(reviewerId)},
                   {QStringLiteral(":session"), idOrNull(sessionId)},
                   {QStringLiteral(":comment"), textOrEmpty(comment)},
                   {QStringLiteral(":at"), decidedAt}});
    query.exec();
}

std::vector<ReviewRecord> AnnotationRepository::lastReviewDecision(qint64 reviewerId,
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

void AnnotationRepository::deleteReview(qint64 reviewId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM reviews WHERE id = :id"),
                   QStringLiteral("delete review #%1").arg(reviewId));
    query.bind(QStringLiteral(":id"), reviewId);
    query.exec();
}

void AnnotationRepository::restoreLabel(qint64 labelId)
{
    SqlQuery query(
        m_db,
        QStringLiteral("UPDATE labels SET retracted_at = NULL, retracted_by = NULL WHERE id = :id"),
        QStringLiteral("restore label #%1").arg(labelId));
    query.bind(QStringLiteral(":id"), labelId);
    query.exec();
}

std::optional<qint64> AnnotationRepository::goldMarkedBy(qint64 imageId) const
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

int AnnotationRepository::goldAnswerCount(qint64 imageId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COUNT(*) FROM labels WHERE image_id = :image AND"
                                  " gold_check = 1 AND retracted_at IS NULL"),
                   QStringLiteral("count the gold answers on image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    return query.next() ? query.value(0).toInt() : 0;
}

void AnnotationRepository::unmarkGold(qint64 imageId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM gold_items WHERE image_id = :image"),
                   QStringLiteral("unmark gold image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
}

} // namespace digitdesk::storage
