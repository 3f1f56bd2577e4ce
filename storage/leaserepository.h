#pragma once

#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>

#include <vector>

namespace digitdesk::storage {

// The annotation queue's rows: which incoming images a user may be given, the leases that
// keep two annotators off one image, and skips. Callers hold a Transaction around each
// decision (BEGIN IMMEDIATE), so choosing an item and leasing it is atomic across processes.
class LeaseRepository final
{
public:
    explicit LeaseRepository(const QSqlDatabase &db) : m_db(db) {}

    // Incoming images the user may be given, in queue order: not leased by someone else, not
    // labelled by the user; lowest calibrated confidence of the production model first (images
    // without a prediction before all), smallest margin, oldest. `mostConfident` reverses the
    // order; `skippedToo` includes the images the user skipped.
    std::vector<qint64> candidates(qint64 userId, const QDateTime &now, bool skippedToo,
                                   bool mostConfident, int limit) const;
    // Whether the image can still be given to the user: waiting for a label (or a gold item),
    // not labelled by them, not leased by someone else.
    bool isOpenFor(qint64 imageId, qint64 userId, const QDateTime &now) const;
    // Those of `imageIds` that are still open for the user, in the order given.
    std::vector<qint64> stillOpenFor(const std::vector<qint64> &imageIds, qint64 userId,
                                     const QDateTime &now) const;
    // When the user's lease on each image runs out (images without one left out).
    QHash<qint64, QDateTime> leaseExpiries(qint64 userId) const;
    // How many images `candidates` could still give the user, skipped ones included. Walks the
    // incoming images' index once (about 25 ms for 60,000 of them on SQLite): for a worker.
    qint64 openCountFor(qint64 userId, const QDateTime &now) const;
    // The `count` most confident candidates, for a grid page (skipped images left out).
    std::vector<qint64> mostConfident(qint64 userId, const QDateTime &now, int count) const;
    void lease(qint64 imageId, qint64 userId, qint64 sessionId, const QDateTime &now, int seconds);
    bool holdsLease(qint64 imageId, qint64 userId, const QDateTime &now) const;
    bool leasedByOther(qint64 imageId, qint64 userId, const QDateTime &now) const;
    void releaseLease(qint64 imageId);
    // Gives back every image leased to the user in that login session (logout, quit, idle).
    void releaseLeasesOf(qint64 userId, qint64 sessionId);
    // Gives back the leases of that login session on images not in `keep` (a new plan replaces
    // the old one); the same user's other sessions keep theirs.
    void releaseLeasesExcept(qint64 userId, qint64 sessionId, const std::vector<qint64> &keep);
    void addSkip(qint64 imageId, qint64 userId, qint64 sessionId);

private:
    bool activeLease(qint64 imageId, qint64 userId, const QDateTime &now, bool heldByUser) const;

    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
