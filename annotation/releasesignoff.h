#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "annotation/releasechecklist.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

// A model as a release candidate: no decision yet, or its latest decision.
enum class ReleaseStatus
{
    PendingValidation,
    Approved,
    Rejected
};

QString toString(ReleaseStatus status); // "pending validation", "approved", "rejected"

struct ReleaseDecision
{
    qint64 id = 0;
    qint64 modelId = 0;
    bool approved = false;
    QString comment;
    QString decidedBy;
    QDateTime decidedAt;
    qint64 decidedByUserId = 0; // 0 for the command line's operator
};

// Four eyes on models: someone other than who trained a model approves it before it serves
// (ModelRegistry asks releaseBlocker() before production moves). Decisions are append-only
// rows, each audited; the latest one is the model's status.
class ReleaseSignOff final
{
public:
    static constexpr const char *WaiverSetting = "release.signoff_waived";

    explicit ReleaseSignOff(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    // Requires ValidateModel. Refused (PermissionDenied with the reason, audited) when `who`
    // registered the model or started its training run; a rejection needs a comment
    // (InvalidRequest), and so does an unknown model.
    ReleaseDecision decide(const Principal &who, qint64 modelId, bool approve,
                           const QString &comment);
    ReleaseStatus statusOf(qint64 modelId) const;
    std::vector<ReleaseDecision> historyOf(qint64 modelId) const; // oldest first
    // Requires ViewValidation: the models with no decision that have never been production,
    // newest first.
    std::vector<qint64> waiting(const Principal &who) const;

    // The workspace's waiver of the sign-off, for a one-person team.
    bool waived() const;
    void setWaived(const Principal &who, bool waived); // ManageUsers (admin); audited

    // Why production may not move to the model, in words for a person; nothing when the waiver
    // is on, or the model's latest decision approves it and comes from someone who did not make
    // it. (Moving back to a model that served before is the registry's to allow.)
    std::optional<QString> releaseBlocker(qint64 modelId) const;

private:
    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
