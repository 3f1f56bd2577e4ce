#include "storage/leaserepository.h"

#include "storage/dialect.h"
#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

#include <QSet>

#include <algorithm>

namespace digitdesk::storage {
namespace {

// Incoming images this user may be given: not leased by someone else, not labelled by them.
// Walks the images_queue index in order and stops at the first that fits.
const QString Candidates = QStringLiteral(
    " FROM images i WHERE i.status = :incoming"
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

} // namespace

std::vector<qint64> LeaseRepository::candidates(qint64 userId, const QDateTime &now,
                                                bool skippedToo, bool mostConfident,
                                                int limit) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT i.id") + Candidates +
                       (skippedToo ? QString() : NotSkipped) + orderBy(mostConfident) +
                       QStringLiteral(" LIMIT :limit"),
                   QStringLiteral("choose images to label"));
    query.bindAll({{QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":limit"), limit}});
    query.exec();
    std::vector<qint64> ids;
    while (query.next()) {
        ids.push_back(query.value(0).toLongLong());
    }
    return ids;
}

qint64 LeaseRepository::openCountFor(qint64 userId, const QDateTime &now) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT COUNT(*)") + Candidates,
                   QStringLiteral("count the images left for user #%1").arg(userId));
    query.bindAll({{QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
                   {QStringLiteral(":user"), userId},
                   {QStringLiteral(":now"), toDbTime(now)}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

bool LeaseRepository::isOpenFor(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return !stillOpenFor({imageId}, userId, now).empty();
}

std::vector<qint64> LeaseRepository::mostConfident(qint64 userId, const QDateTime &now,
                                                   int count) const
{
    return candidates(userId, now, false, true, count);
}

void LeaseRepository::lease(qint64 imageId, qint64 userId, qint64 sessionId, const QDateTime &now,
                            int seconds)
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

bool LeaseRepository::activeLease(qint64 imageId, qint64 userId, const QDateTime &now,
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

bool LeaseRepository::holdsLease(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return activeLease(imageId, userId, now, true);
}

bool LeaseRepository::leasedByOther(qint64 imageId, qint64 userId, const QDateTime &now) const
{
    return activeLease(imageId, userId, now, false);
}

void LeaseRepository::releaseLease(qint64 imageId)
{
    SqlQuery query(m_db, QStringLiteral("DELETE FROM leases WHERE image_id = :image"),
                   QStringLiteral("release the lease of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
}

void LeaseRepository::releaseLeasesOf(qint64 userId, qint64 sessionId)
{
    SqlQuery query(m_db,
                   QStringLiteral("DELETE FROM leases WHERE user_id = :user AND (session_id ="
                                  " :session OR session_id IS NULL)"),
                   QStringLiteral("release the leases of login session #%1").arg(sessionId));
    query.bindAll({{QStringLiteral(":user"), userId}, {QStringLiteral(":session"), sessionId}});
    query.exec();
}

void LeaseRepository::releaseLeasesExcept(qint64 userId, qint64 sessionId,
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

QHash<qint64, QDateTime> LeaseRepository::leaseExpiries(qint64 userId) const
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

std::vector<qint64> LeaseRepository::stillOpenFor(const std::vector<qint64> &imageIds,
                                                  qint64 userId, const QDateTime &now) const
{
    if (imageIds.empty()) {
        return {};
    }
    // One statement for the whole strip: the ids are bound as one JSON array.
    SqlQuery query(
        m_db,
        QStringLiteral(
            "SELECT i.id FROM images i WHERE i.id IN (%1)"
            " AND (i.status = :incoming OR EXISTS (SELECT 1 FROM gold_items g WHERE g.image_id ="
            "   i.id))"
            " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = i.id AND l.user_id <> :user"
            "   AND l.expires_at > :now)"
            " AND NOT EXISTS (SELECT 1 FROM labels b WHERE b.image_id = i.id AND b.annotator_id ="
            "   :user AND b.retracted_at IS NULL)")
            .arg(Dialect::of(m_db).idsFromJsonArray(QStringLiteral(":ids"))),
        QStringLiteral("check that the planned images are still to label"));
    query.bindAll({{QStringLiteral(":ids"), idsAsJsonArray(imageIds)},
                   {QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
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

void LeaseRepository::addSkip(qint64 imageId, qint64 userId, qint64 sessionId)
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

} // namespace digitdesk::storage
