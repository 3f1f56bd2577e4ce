#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "storage/label.h"

#include <QByteArray>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

// An image on an annotator's screen, leased to them until `leaseExpires`.
struct QueueItem
{
    qint64 imageId = 0;
    QByteArray pixels;
    QString originalSha256;
    int predictedLabel = -1; // -1 when the production model has not seen it
    float confidence = -1;   // calibrated
    std::array<float, 10> probabilities{};
    QDateTime leaseExpires;
    QString sentBack; // "reviewer: comment" when a reviewer rejected its earlier label
    // Set when two served models answered it differently (describeDisagreement()).
    QString modelsDisagree;
};

struct LabelDecision
{
    qint64 labelId = 0;
    qint64 imageId = 0;
    storage::Label label = storage::Label::notADigit();
    // Set when the image was a gold item: the right answer, shown after the fact.
    storage::MaybeLabel goldLabel;
};

// One of an annotator's recent decisions, to look back at and change until it is reviewed.
struct HistoryEntry
{
    LabelDecision decision;
    QByteArray pixels;
    bool reviewed = false;
};

// What the annotate view's queue bar shows: what is left for the annotator, what waits for a
// reviewer, and the annotator's work today (since midnight UTC, as the Overview counts days)
// against the team's daily target.
struct QueueFigures
{
    qint64 leftForYou = 0;
    qint64 waitingForReview = 0;
    qint64 labelledToday = 0;
    int dailyTarget = 0;
};

// The annotator's side of the loop: the queue (lowest calibrated confidence first, margin
// breaking ties, a share of the most confident mixed in so they are audited too), leases so
// two annotators never see the same item, labels, skips and undo. Every call is checked
// against the caller's role and every decision is committed before it returns.
// One service serves one annotator's screen: it remembers the item on screen and the items
// shown as coming next, and hands those out in the order shown.
class AnnotationService final
{
public:
    using Clock = std::function<QDateTime()>;
    static constexpr int DefaultLeaseSeconds = 300;
    static constexpr int DefaultHighConfidenceEvery = 20; // 5%
    static constexpr const char *LeaseSetting = "queue.lease_seconds";
    static constexpr const char *HighConfidenceSetting = "queue.high_confidence_share";
    static constexpr const char *GoldSetting = "queue.gold_share";
    static constexpr const char *OverlapSetting = "queue.overlap";

    explicit AnnotationService(const QSqlDatabase &db, Clock clock = {});

    // Leases and returns the next item, or nothing when the queue is empty: the first of the
    // items `upcoming` announced that is still the caller's to label, else the queue's choice.
    std::optional<QueueItem> next(const Principal &who);
    // Grid mode: leases up to `count` of the model's most confident items at once.
    std::vector<QueueItem> nextPage(const Principal &who, int count);
    // Labels a whole page in one transaction: each item's answer (the prediction accepted, or
    // the digit the annotator corrected it to). Items whose lease was lost are refused whole.
    std::vector<LabelDecision>
    labelPage(const Principal &who, const std::vector<std::pair<qint64, storage::Label>> &answers,
              qint64 timeSpentMs);
    // The `count` images that `next` will return after the current one, in order, for the
    // strip of what comes next (id and pixels). They are leased to the caller like the current
    // one, so nobody else takes them meanwhile; leases of images no longer planned are given
    // back.
    std::vector<QueueItem> upcoming(const Principal &who, int count);
    // Stores the label for a leased image; throws InvalidRequest when the lease was lost to
    // someone else.
    LabelDecision label(const Principal &who, qint64 imageId, storage::Label label,
                        qint64 timeSpentMs);
    void skip(const Principal &who, qint64 imageId);
    // Takes back the caller's latest label unless it has been reviewed; the image returns to
    // the queue. Returns it, or nothing when there is nothing to undo.
    std::optional<LabelDecision> undo(const Principal &who);
    // Changes one of the caller's recent labels (from the history) until it is reviewed.
    LabelDecision relabel(const Principal &who, qint64 labelId, storage::Label label);
    std::vector<LabelDecision> history(const Principal &who, int limit = 50) const;
    // The same, newest first, with the images, for the arrow keys of the annotate view.
    std::vector<HistoryEntry> recent(const Principal &who, int limit = 50) const;
    QueueFigures queueFigures(const Principal &who) const;
    // The item of an image the caller holds the lease on (after undo, say).
    QueueItem leasedItem(const Principal &who, qint64 imageId) const;

private:
    QDateTime now() const;
    QueueItem loadItem(qint64 imageId) const;
    int leaseSeconds() const;
    std::vector<qint64> planAfterCurrent(const Principal &who, int count,
                                         const std::vector<qint64> &planned) const;

    QSqlDatabase m_db;
    AccessControl m_access;
    Clock m_clock;
    void followCaller(const Principal &who);

    qint64 m_caller = 0;          // the login session whose screen the two below describe
    qint64 m_current = 0;         // the image on the caller's screen, 0 when none
    std::vector<qint64> m_coming; // the images announced as coming after it, in order
};

} // namespace digitdesk::annotation
