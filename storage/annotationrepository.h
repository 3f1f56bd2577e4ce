#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct AnnotatorFigures
{
    qint64 userId = 0;
    QString name;
    int labels = 0;
    int reviewed = 0;
    int approvedAsIs = 0; // reviewed and approved without correction
    int goldAnswered = 0;
    int goldRight = 0;
};

struct LabelPair
{
    qint64 imageId = 0;
    int first = -1;
    int second = -1;
};

// One row of a reviewer's decision: a decision reviews every standing label of one image, and
// its rows share one `createdAt`.
struct ReviewRecord
{
    qint64 id = 0;
    qint64 labelId = 0;
    qint64 imageId = 0;
    QString verdict;
    QString createdAt; // as stored
};

struct LabelRow
{
    qint64 id = 0;
    qint64 imageId = 0;
    int label = -1; // -1: "not a digit"
    qint64 annotatorId = 0;
    QString annotator;
    QDateTime createdAt;
    bool reviewed = false;
};

// The rows behind the annotation queue and the review: leases, skips, labels and reviews.
// Callers hold a Transaction around each decision (BEGIN IMMEDIATE), so choosing an item and
// leasing it is atomic across processes.
class AnnotationRepository final
{
public:
    explicit AnnotationRepository(const QSqlDatabase &db) : m_db(db) {}

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
    // Whether the user's standing label on the image is an answer to a gold item.
    bool isGoldCheck(qint64 labelId) const;
    bool hasStandingLabel(qint64 imageId, qint64 userId) const;

    qint64 addLabel(qint64 imageId, int label, qint64 userId, qint64 sessionId, qint64 timeSpentMs,
                    bool goldCheck = false);
    int activeLabelCount(qint64 imageId) const;

    // Gold items: approved images whose label is known, mixed unannounced into the queues.
    void markGold(qint64 imageId, int label, const QString &by, qint64 userId, qint64 sessionId);
    std::optional<int> goldLabel(qint64 imageId) const; // -1 for "not a digit"
    // Gold items the user has not answered and nobody else holds, oldest first.
    std::vector<qint64> goldCandidates(qint64 userId, const QDateTime &now, int limit) const;
    void retractLabel(qint64 labelId, const QString &by);
    void addSkip(qint64 imageId, qint64 userId, qint64 sessionId);
    std::vector<LabelRow> activeLabels(qint64 imageId) const;
    std::optional<LabelRow> lastActiveLabelBy(qint64 userId) const;
    std::optional<LabelRow> findLabel(qint64 labelId) const;
    std::vector<LabelRow> historyOf(qint64 userId, int limit) const;
    // The user's standing labels (undone ones not counted): the position in their queue.
    qint64 labelCountBy(qint64 userId) const;

    QString status(qint64 imageId) const;
    void setStatus(qint64 imageId, const QString &status);
    // "reviewer: comment" of the last rejection of the image's labels, or empty.
    QString lastRejection(qint64 imageId) const;

    // Labelled images none of whose active labels is the reviewer's own; images where the
    // annotators disagree, or an annotator disagrees with the model, first.
    std::optional<qint64> nextForReview(qint64 reviewerId, qint64 modelId) const;
    void addReview(qint64 labelId, const QString &verdict, int correctedLabel,
                   const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                   const QString &comment);

    std::vector<AnnotatorFigures> annotatorFigures() const;
    // The two annotators' standing labels on the images both labelled (gold checks aside).
    std::vector<LabelPair> sharedLabels(qint64 firstUserId, qint64 secondUserId) const;

    // Review decisions and their undo.
    // addReview() stamped with the decision's time, which every row of one decision shares.
    void addReviewAt(qint64 labelId, const QString &verdict, int correctedLabel,
                     const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                     const QString &comment, const QString &decidedAt);
    // The rows of the reviewer's newest decision in that login session (0: none), oldest first.
    std::vector<ReviewRecord> lastReviewDecision(qint64 reviewerId, qint64 sessionId) const;
    void deleteReview(qint64 reviewId);
    // Puts a retracted label back, as if it had never been retracted.
    void restoreLabel(qint64 labelId);
    // The user id (0: the operator) who marked the image gold; nothing when it is not gold.
    std::optional<qint64> goldMarkedBy(qint64 imageId) const;
    // Standing answers annotators gave on the image as a gold item.
    int goldAnswerCount(qint64 imageId) const;
    void unmarkGold(qint64 imageId);

private:
    bool activeLease(qint64 imageId, qint64 userId, const QDateTime &now, bool heldByUser) const;

    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
