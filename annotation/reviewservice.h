#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "storage/label.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct ReviewLabel
{
    qint64 labelId = 0;
    storage::Label label = storage::Label::notADigit();
    QString annotator;
};

// A data check's evidence on an image it sent back to review (annotation/datacheckservice.h).
struct SuspectedErrorMark
{
    QString checkedVersion; // "v3"
    int givenLabel = 0;
    int suspectedLabel = 0;
    double confidence = 0; // out-of-fold probability of the suspected label
    QString previousReviewer;
};

struct ReviewItem
{
    qint64 imageId = 0;
    QByteArray pixels;
    std::vector<ReviewLabel> labels;
    int predictedLabel = -1; // the production model's answer, -1 when none
    float confidence = -1;
    QStringList history;    // who did what to this image, oldest first
    QString rejectedBefore; // "reviewer: comment" of its last rejection, empty when none
    std::optional<SuspectedErrorMark> suspectedError; // sent back as a suspected label error
};

// The reviewer's side: approve, correct (approve with another digit) or reject a labelled
// image, and undo the last of these. Four eyes: nobody reviews an image they labelled
// themselves, whatever the view shows, nor a suspected label error they had approved.
class ReviewService final
{
public:
    explicit ReviewService(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    std::optional<ReviewItem> next(const Principal &who) const;
    // An image waiting for review, as next() would give it.
    ReviewItem item(const Principal &who, qint64 imageId) const;
    void approve(const Principal &who, qint64 imageId);
    // A label equal to the annotator's is an approval of theirs, not a correction.
    // The correction is a digit: InvalidRequest for "not a digit".
    void correct(const Principal &who, qint64 imageId, storage::Label label);
    // Approves and marks the image gold in one transaction.
    void approveAsGold(const Principal &who, qint64 imageId);
    // Sends the image back to the queue; the comment is kept for the annotator.
    void reject(const Principal &who, qint64 imageId, const QString &comment);
    // Marks an approved image as gold: its approved label becomes the right answer that
    // annotators are checked against, unannounced, in their queues.
    void markGold(const Principal &who, qint64 imageId);
    // Takes back the caller's newest decision in this login session, when nothing has come to
    // depend on it since (a new label on a rejected image, or an annotator's answer on it as a
    // gold item): its review rows go, with an audit row, and the image waits for review again.
    // Returns the image, nothing when there is no decision to undo; InvalidRequest when
    // something depends on it.
    std::optional<qint64> undoLastReview(const Principal &who);

private:
    ReviewItem loadItem(qint64 imageId) const;
    // The image's standing labels; nothing when one of them is the reviewer's own.
    std::optional<std::vector<ReviewLabel>> reviewableLabels(const Principal &who,
                                                             qint64 imageId) const;
    void decide(const Principal &who, qint64 imageId, const QString &verdict,
                storage::MaybeLabel label, const QString &comment, bool markGold = false);
    void checkUndoableApproval(const Principal &who, qint64 imageId) const;
    void checkUndoableRejection(const Principal &who, qint64 imageId) const;

    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
