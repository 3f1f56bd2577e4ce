#pragma once

#include "storage/actorref.h"
#include "storage/imagestatus.h"
#include "storage/label.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct LabelSuspectRow
{
    qint64 id = 0;
    qint64 checkId = 0;
    int rank = 0; // 1 is the most likely error of its check
    QString sha256;
    int givenLabel = 0;
    int suspectedLabel = 0;
    double confidence = 0; // out-of-fold probability of the suspected label
    double margin = 0;     // that probability minus the given label's
    qint64 imageId = 0;    // 0 until sent to review
    QDateTime sentAt;      // invalid while not sent
    QString sentBy;
    QString previousReviewer;
    qint64 previousReviewerId = 0;
    QDateTime decidedAt; // invalid while undecided
    QString decidedBy;
    QString decision;        // confirmed, not_confirmed; empty while undecided
    MaybeLabel decidedLabel; // the label the reviewer left; nothing when rejected
};

// What a reviewer's decisions on suspected label errors say about the check, workspace-wide.
struct SuspectDecisions
{
    int sent = 0;
    int decided = 0;
    int confirmed = 0; // the reviewer corrected or rejected the given label
};

// An approved image and who approved its standing label.
struct ApprovedBy
{
    qint64 imageId = 0;
    ImageStatus status = ImageStatus::Incoming;
    QString reviewer;
    qint64 reviewerId = 0; // 0 for the operator or an import
};

// The label_suspects table: likely label errors found by a data check, and what became of the
// ones sent back to review.
class LabelSuspectRepository final
{
public:
    explicit LabelSuspectRepository(const QSqlDatabase &db) : m_db(db) {}

    void add(qint64 checkId, const std::vector<LabelSuspectRow> &rows);
    std::vector<LabelSuspectRow> forCheck(qint64 checkId) const;
    // The image with these pixels and the reviewer of its standing label; nothing when the
    // workspace has no such image.
    std::optional<ApprovedBy> approvedBy(const QString &sha256) const;
    // True when the image already waits for a decision as a suspected label error.
    bool isPending(qint64 imageId) const;
    void markSent(qint64 suspectId, const ApprovedBy &image, const ActorRef &sender);
    // The suspect sent back for this image and not yet decided.
    std::optional<LabelSuspectRow> pendingFor(qint64 imageId) const;
    void decide(qint64 suspectId, bool confirmed, MaybeLabel decidedLabel,
                const ActorRef &reviewer);
    // Takes back the newest decision on the image's suspect by this reviewer (their review
    // was undone): it waits for a decision again.
    void reopenDecision(qint64 imageId, qint64 reviewerId);
    SuspectDecisions decisions() const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
