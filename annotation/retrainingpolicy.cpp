#include "annotation/retrainingpolicy.h"

#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/approvalcounter.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/trainingrunrepository.h"

#include <QLocale>

#include <optional>

namespace digitdesk::annotation {
namespace {

QString count(qint64 n)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(n);
}

std::optional<storage::DatasetVersionRecord> versionWithCommit(const QSqlDatabase &db,
                                                               const QString &commitId)
{
    if (commitId.isEmpty()) {
        return std::nullopt;
    }
    for (storage::DatasetVersionRecord &version : storage::DatasetVersionRepository(db).list()) {
        if (version.commitId == commitId) {
            return std::move(version);
        }
    }
    return std::nullopt;
}

// The newer of production's version and the version of the policy's last run.
std::optional<storage::DatasetVersionRecord> baselineVersion(const QSqlDatabase &db)
{
    std::optional<storage::DatasetVersionRecord> baseline;
    const storage::ModelRepository models(db);
    if (const auto production = models.aliasTarget(ProductionAlias)) {
        if (const auto model = models.findModel(*production)) {
            baseline = versionWithCommit(db, model->datasetCommit);
        }
    }
    const auto lastPolicyRun =
        storage::TrainingRunRepository(db).newestStartedBecause(RetrainingPolicy::ReasonPrefix);
    if (lastPolicyRun) {
        const auto version = versionWithCommit(db, lastPolicyRun->datasetCommit);
        if (version && (!baseline || version->createdAt > baseline->createdAt)) {
            baseline = version;
        }
    }
    return baseline;
}

} // namespace

int RetrainingPolicy::minNewLabels(const Principal &who) const
{
    m_access.require(who, Action::ViewModels, QString::fromLatin1(MinNewLabelsSetting));
    return std::clamp(
        storage::SettingsRepository(m_db).intValue(QString::fromLatin1(MinNewLabelsSetting), 0), 0,
        MaxThreshold);
}

void RetrainingPolicy::setMinNewLabels(const Principal &who, int count)
{
    const QString key = QString::fromLatin1(MinNewLabelsSetting);
    m_access.require(who, Action::SetRetrainingPolicy, key);
    if (count < 0 || count > MaxThreshold) {
        throw InvalidRequest(QStringLiteral("%1 takes a whole number from 0 (off) to %2")
                                 .arg(key)
                                 .arg(MaxThreshold));
    }
    storage::SettingsRepository(m_db).setValue(key, QString::number(count));
    m_access.audit(who, Action::SetRetrainingPolicy, key,
                   count == 0 ? QStringLiteral("retraining policy off")
                              : QStringLiteral("retrain after %1 new approved labels").arg(count));
}

RetrainingCheck RetrainingPolicy::due(const Principal &who) const
{
    RetrainingCheck check;
    check.threshold = minNewLabels(who);
    if (check.threshold == 0) {
        check.reason =
            QStringLiteral("the retraining policy is off (%1 is 0)").arg(MinNewLabelsSetting);
        return check;
    }
    const std::vector<storage::TrainingRunRecord> running =
        storage::TrainingRunRepository(m_db).running();
    if (!running.empty()) {
        check.reason =
            QStringLiteral("run %1 is running (started by %2 at %3)")
                .arg(running.front().id)
                .arg(running.front().startedBy, running.front().startedAt.toString(Qt::ISODate));
        return check;
    }
    const auto baseline = baselineVersion(m_db);
    check.sinceTag = baseline ? baseline->tag : QString();
    check.newLabels =
        storage::ApprovalCounter(m_db).approvedAfter(baseline ? baseline->createdAt : QDateTime());
    check.due = check.newLabels >= check.threshold;
    const QString counted =
        baseline ? QStringLiteral("%1 new approved labels since %2")
                       .arg(count(check.newLabels), baseline->tag)
                 : QStringLiteral("%1 approved labels, and no production model trained on a "
                                  "dataset version to count from")
                       .arg(count(check.newLabels));
    check.reason = QStringLiteral("%1 (threshold %2)").arg(counted, count(check.threshold));
    return check;
}

} // namespace digitdesk::annotation
