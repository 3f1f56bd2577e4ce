#pragma once

#include "storage/label.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

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

// Reviewers' decisions on labels, the queue of images waiting for one, and their undo.
class ReviewRepository final
{
public:
    explicit ReviewRepository(const QSqlDatabase &db) : m_db(db) {}

    // Labelled images none of whose active labels is the reviewer's own and that no other
    // reviewer holds a lease on at `now`; images where the annotators disagree, or an
    // annotator disagrees with the model, first.
    std::optional<qint64> nextForReview(qint64 reviewerId, qint64 modelId,
                                        const QDateTime &now) const;
    // "reviewer: comment" of the last rejection of the image's labels, or empty.
    QString lastRejection(qint64 imageId) const;
    // `corrected` is the reviewer's label for the verdict "corrected", nothing for the others.
    void addReview(qint64 labelId, const QString &verdict, MaybeLabel corrected,
                   const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                   const QString &comment);
    // addReview() stamped with the decision's time, which every row of one decision shares.
    void addReviewAt(qint64 labelId, const QString &verdict, MaybeLabel corrected,
                     const QString &reviewer, qint64 reviewerId, qint64 sessionId,
                     const QString &comment, const QString &decidedAt);
    // The rows of the reviewer's newest decision in that login session (0: none), oldest first.
    std::vector<ReviewRecord> lastReviewDecision(qint64 reviewerId, qint64 sessionId) const;
    void deleteReview(qint64 reviewId);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
