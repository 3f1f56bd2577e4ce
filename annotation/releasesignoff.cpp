#include "annotation/releasesignoff.h"

#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/modelrepository.h"
#include "storage/releasedecisionrepository.h"
#include "storage/settingsrepository.h"
#include "storage/transaction.h"

#include <algorithm>

namespace digitdesk::annotation {
namespace {

QString modelTarget(qint64 modelId)
{
    return QStringLiteral("model:%1").arg(modelId);
}

// A workspace user is known by id (names never change, but ids say it plainly); the operator,
// who has none, by "operator:<login>".
bool samePerson(const storage::ActorRef &a, const storage::ActorRef &b)
{
    if (a.userId > 0 || b.userId > 0) {
        return a.userId == b.userId;
    }
    return a.name == b.name;
}

std::optional<storage::ActorRef> makerAmong(const std::vector<storage::ActorRef> &makers,
                                            const storage::ActorRef &person)
{
    for (const storage::ActorRef &maker : makers) {
        if (samePerson(maker, person)) {
            return maker;
        }
    }
    return std::nullopt;
}

ReleaseDecision toDecision(const storage::ReleaseDecisionRecord &record)
{
    return {record.id,
            record.modelId,
            record.approved,
            record.comment,
            record.decidedBy.name,
            record.decidedAt,
            record.decidedBy.userId};
}

} // namespace

QString toString(ReleaseStatus status)
{
    switch (status) {
    case ReleaseStatus::PendingValidation:
        return QStringLiteral("pending validation");
    case ReleaseStatus::Approved:
        return QStringLiteral("approved");
    case ReleaseStatus::Rejected:
        return QStringLiteral("rejected");
    }
    return {};
}

ReleaseDecision ReleaseSignOff::decide(const Principal &who, qint64 modelId, bool approve,
                                       const QString &comment)
{
    m_access.require(who, Action::ValidateModel, modelTarget(modelId));
    if (!storage::ModelRepository(m_db).findModel(modelId)) {
        throw InvalidRequest(QStringLiteral("there is no model %1").arg(modelId));
    }
    if (!approve && comment.trimmed().isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("rejecting model %1 needs a comment: what is wrong with it")
                .arg(modelId));
    }
    storage::ReleaseDecisionRepository repository(m_db);
    if (makerAmong(repository.makersOf(modelId), who.actorRef())) {
        m_access.refuse(who, Action::ValidateModel, modelTarget(modelId),
                        QStringLiteral("%1 trained model %2; someone else must sign it off "
                                       "(four eyes)")
                            .arg(who.name)
                            .arg(modelId));
    }
    storage::Transaction transaction(m_db);
    const qint64 id = repository.add(modelId, approve, comment.trimmed(), who.actorRef());
    m_access.audit(
        who, Action::ValidateModel, modelTarget(modelId),
        (approve ? QStringLiteral("approved for release")
                 : QStringLiteral("rejected for release")) +
            (comment.trimmed().isEmpty() ? QString() : QStringLiteral(": ") + comment.trimmed()));
    transaction.commit();
    for (const storage::ReleaseDecisionRecord &record : repository.forModel(modelId)) {
        if (record.id == id) {
            return toDecision(record);
        }
    }
    throw InvalidRequest(
        QStringLiteral("the release decision on model %1 was not stored").arg(modelId));
}

ReleaseStatus ReleaseSignOff::statusOf(qint64 modelId) const
{
    const std::vector<storage::ReleaseDecisionRecord> decisions =
        storage::ReleaseDecisionRepository(m_db).forModel(modelId);
    if (decisions.empty()) {
        return ReleaseStatus::PendingValidation;
    }
    return decisions.back().approved ? ReleaseStatus::Approved : ReleaseStatus::Rejected;
}

std::vector<ReleaseDecision> ReleaseSignOff::historyOf(qint64 modelId) const
{
    std::vector<ReleaseDecision> history;
    for (const storage::ReleaseDecisionRecord &record :
         storage::ReleaseDecisionRepository(m_db).forModel(modelId)) {
        history.push_back(toDecision(record));
    }
    return history;
}

std::vector<qint64> ReleaseSignOff::waiting(const Principal &who) const
{
    m_access.require(who, Action::ViewValidation, QStringLiteral("releases waiting"));
    std::vector<qint64> served;
    for (const storage::AliasMove &move : storage::ModelRepository(m_db).aliasHistory()) {
        if (move.alias == ProductionAlias) {
            served.push_back(move.toModelId);
        }
    }
    std::vector<qint64> waiting = storage::ReleaseDecisionRepository(m_db).undecidedModels();
    std::erase_if(waiting, [&](qint64 id) {
        return std::find(served.begin(), served.end(), id) != served.end();
    });
    return waiting;
}

bool ReleaseSignOff::waived() const
{
    return storage::SettingsRepository(m_db).intValue(QString::fromLatin1(WaiverSetting), 0) != 0;
}

void ReleaseSignOff::setWaived(const Principal &who, bool waived)
{
    const QString key = QString::fromLatin1(WaiverSetting);
    m_access.require(who, Action::ManageUsers, key);
    storage::Transaction transaction(m_db);
    storage::SettingsRepository(m_db).setValue(key,
                                               waived ? QStringLiteral("1") : QStringLiteral("0"));
    m_access.audit(who, Action::ManageUsers, key,
                   waived ? QStringLiteral("release sign-off waived: production may move to "
                                           "any model")
                          : QStringLiteral("release sign-off required"));
    transaction.commit();
}

std::optional<QString> ReleaseSignOff::releaseBlocker(qint64 modelId) const
{
    if (waived()) {
        return std::nullopt;
    }
    const storage::ReleaseDecisionRepository repository(m_db);
    const std::vector<storage::ReleaseDecisionRecord> decisions = repository.forModel(modelId);
    if (decisions.empty()) {
        return QStringLiteral("model %1 has no release approval: an ML QA user must approve it "
                              "(digitdesk models validate %1 --approve, or the Validation view)")
            .arg(modelId);
    }
    const storage::ReleaseDecisionRecord &latest = decisions.back();
    if (!latest.approved) {
        return QStringLiteral("model %1 was rejected for release by %2 on %3 (\"%4\"); it "
                              "serves only after a new approval")
            .arg(modelId)
            .arg(latest.decidedBy.name, latest.decidedAt.toString(Qt::ISODate), latest.comment);
    }
    if (makerAmong(repository.makersOf(modelId), latest.decidedBy)) {
        return QStringLiteral("model %1 was approved by %2, who trained it: someone else must "
                              "approve it (four eyes)")
            .arg(modelId)
            .arg(latest.decidedBy.name);
    }
    return std::nullopt;
}

} // namespace digitdesk::annotation
