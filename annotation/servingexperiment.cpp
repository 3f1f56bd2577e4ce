#include "annotation/servingexperiment.h"

#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/timestamps.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

const QString Target = QStringLiteral("serving");

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

double number(const storage::SettingsRepository &settings, const char *name, double fallback,
              double minimum, double maximum)
{
    return settings.numberValue(key(name), fallback, minimum, maximum);
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'g', 4);
}

} // namespace

ExperimentSettings ExperimentSettings::read(const QSqlDatabase &db)
{
    const storage::SettingsRepository settings(db);
    ExperimentSettings read;
    read.shadowShare = number(settings, ShadowShareSetting, 0, 0, 1);
    read.canaryShare = number(settings, CanaryShareSetting, 0, 0, 1);
    read.canaryWindowSeconds = static_cast<int>(
        number(settings, CanaryWindowSetting, read.canaryWindowSeconds, 10, 86400));
    read.canaryErrorMargin =
        number(settings, CanaryErrorMarginSetting, read.canaryErrorMargin, 0, 1);
    read.canaryLatencyMargin =
        number(settings, CanaryLatencyMarginSetting, read.canaryLatencyMargin, 0, 100);
    read.canaryMinRequests = static_cast<int>(
        number(settings, CanaryMinRequestsSetting, read.canaryMinRequests, 1, 1000000));
    read.maxVersions =
        static_cast<int>(number(settings, MaxVersionsSetting, read.maxVersions, 1, 16));
    for (const QString &id :
         settings.value(key(PinnedVersionsSetting)).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 value = id.trimmed().toLongLong(&ok);
        if (ok && value > 0) {
            read.pinned.push_back(value);
        }
    }
    return read;
}

ExperimentSettings ServingExperiment::settings() const
{
    return ExperimentSettings::read(m_db);
}

std::optional<CanaryStop> ServingExperiment::lastCanaryStop() const
{
    const QString text = storage::SettingsRepository(m_db).value(key(CanaryStoppedSetting));
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    if (object.isEmpty()) {
        return std::nullopt;
    }
    return CanaryStop{object.value(QStringLiteral("candidate")).toInteger(),
                      object.value(QStringLiteral("reason")).toString(),
                      storage::fromDbTime(object.value(QStringLiteral("at")).toString())};
}

void ServingExperiment::setShadowShare(const Principal &who, double share)
{
    setShare(who, ShadowShareSetting, share, QStringLiteral("shadow"));
}

void ServingExperiment::setCanaryShare(const Principal &who, double share)
{
    setShare(who, CanaryShareSetting, share, QStringLiteral("canary"));
    if (share > 0) {
        storage::SettingsRepository(m_db).setValue(key(CanaryStoppedSetting), QString());
    }
}

void ServingExperiment::setShare(const Principal &who, const char *name, double share,
                                 const QString &what)
{
    m_access.require(who, Action::ControlServing, Target);
    if (!(share >= 0 && share <= 1)) {
        throw InvalidRequest(QStringLiteral("the %1 share must be a number from 0 to 1, not %2")
                                 .arg(what)
                                 .arg(share));
    }
    storage::SettingsRepository(m_db).setValue(key(name), QString::number(share));
    m_access.audit(who, Action::ControlServing, Target,
                   QStringLiteral("%1 share set to %2").arg(what, percent(share)));
}

void ServingExperiment::pin(const Principal &who, qint64 modelId)
{
    m_access.require(who, Action::ControlServing, Target);
    if (!storage::ModelRepository(m_db).findModel(modelId)) {
        throw InvalidRequest(
            QStringLiteral("there is no model %1 in the registry to pin").arg(modelId));
    }
    ExperimentSettings current = settings();
    if (std::find(current.pinned.begin(), current.pinned.end(), modelId) != current.pinned.end()) {
        return;
    }
    // Production and the candidate take two of the places.
    if (static_cast<int>(current.pinned.size()) + 2 >= current.maxVersions) {
        throw InvalidRequest(
            QStringLiteral("model %1 cannot be pinned: %2 versions are pinned and the endpoint "
                           "loads at most %3 with production and the candidate (setting %4)")
                .arg(modelId)
                .arg(current.pinned.size())
                .arg(current.maxVersions)
                .arg(key(MaxVersionsSetting)));
    }
    current.pinned.push_back(modelId);
    savePinned(who, current.pinned, QStringLiteral("pinned model %1").arg(modelId));
}

void ServingExperiment::unpin(const Principal &who, qint64 modelId)
{
    m_access.require(who, Action::ControlServing, Target);
    ExperimentSettings current = settings();
    const auto end = std::remove(current.pinned.begin(), current.pinned.end(), modelId);
    if (end == current.pinned.end()) {
        throw InvalidRequest(QStringLiteral("model %1 is not pinned").arg(modelId));
    }
    current.pinned.erase(end, current.pinned.end());
    savePinned(who, current.pinned, QStringLiteral("unpinned model %1").arg(modelId));
}

void ServingExperiment::savePinned(const Principal &who, const std::vector<qint64> &pinned,
                                   const QString &detail)
{
    QStringList ids;
    for (qint64 id : pinned) {
        ids << QString::number(id);
    }
    storage::SettingsRepository(m_db).setValue(key(PinnedVersionsSetting),
                                               ids.join(QLatin1Char(',')));
    m_access.audit(who, Action::ControlServing, Target, detail);
}

void ServingExperiment::recordCanaryStop(const QSqlDatabase &db, qint64 candidateId,
                                         const QString &reason)
{
    const QString at = storage::nowDbTime();
    const QJsonObject stop{{QStringLiteral("candidate"), candidateId},
                           {QStringLiteral("reason"), reason},
                           {QStringLiteral("at"), at}};
    storage::SettingsRepository settings(db);
    settings.setValue(key(CanaryShareSetting), QStringLiteral("0"));
    settings.setValue(key(CanaryStoppedSetting),
                      QString::fromUtf8(QJsonDocument(stop).toJson(QJsonDocument::Compact)));
    storage::AuditLog(db).append(
        {{},
         QStringLiteral("serving endpoint"),
         0,
         0,
         toString(Action::ControlServing),
         Target,
         QStringLiteral("ok"),
         QStringLiteral("canary of model %1 stopped: %2").arg(candidateId).arg(reason)});
}

void ServingExperiment::endCanaryOnPromotion(const QSqlDatabase &db, qint64 promotedId)
{
    storage::SettingsRepository settings(db);
    if (settings.value(key(CanaryShareSetting)).toDouble() <= 0) {
        return;
    }
    settings.setValue(key(CanaryShareSetting), QStringLiteral("0"));
    storage::AuditLog(db).append(
        {{},
         QStringLiteral("serving endpoint"),
         0,
         0,
         toString(Action::ControlServing),
         Target,
         QStringLiteral("ok"),
         QStringLiteral("canary ended: model %1 was promoted").arg(promotedId)});
}

} // namespace digitdesk::annotation
