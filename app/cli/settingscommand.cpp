#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/datacheckthresholds.h"
#include "annotation/driftmonitor.h"
#include "annotation/inbox.h"
#include "annotation/releasesignoff.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/servingexperiment.h"
#include "annotation/teamsettings.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/serve/servingsettings.h"
#include "app/serve/servingtoken.h"
#include "storage/settingsrepository.h"
#include "storage/workspace.h"

#include <QDir>
#include <QMap>

#include <cmath>
#include <limits>

namespace digitdesk::app {
namespace {

struct Setting
{
    QString key;
    QString fallback;
    double minimum;
    double maximum;
    QString meaning;
    annotation::Action action = annotation::Action::ManageUsers; // who may change it
};

const std::vector<Setting> &knownSettings()
{
    static const std::vector<Setting> settings = {
        {QString::fromLatin1(annotation::AnnotationService::LeaseSetting), QStringLiteral("300"),
         10, 86400,
         QStringLiteral("seconds an item stays leased to the annotator who has it on screen")},
        {QString::fromLatin1(annotation::AnnotationService::HighConfidenceSetting),
         QStringLiteral("0.05"), 0, 0.5,
         QStringLiteral("share of each queue taken from the model's most confident answers")},
        {QString::fromLatin1(annotation::AnnotationService::GoldSetting), QStringLiteral("0.05"), 0,
         0.5, QStringLiteral("share of each annotator's queue that is gold items")},
        {QString::fromLatin1(annotation::AnnotationService::OverlapSetting), QStringLiteral("1"), 1,
         5, QStringLiteral("independent labels an item needs before review")},
        {QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting), QStringLiteral("900"),
         60, 86400, QStringLiteral("seconds without activity before the screen locks")},
        {QString::fromLatin1(CaptureThresholdSetting), QString::number(DefaultCaptureThreshold), 0,
         1,
         QStringLiteral("the endpoint stores images it answers with a calibrated confidence "
                        "under this as incoming items")},
        {QString::fromLatin1(CaptureEnabledSetting), QStringLiteral("1"), 0, 1,
         QStringLiteral("1: the endpoint captures low-confidence images; 0: it does not")},
        {QString::fromLatin1(annotation::PsiThresholdSetting),
         QString::number(annotation::DefaultPsiThreshold), 0, 10,
         QStringLiteral("drift: PSI of the served classes against the training data above this "
                        "is reported")},
        {QString::fromLatin1(annotation::OodShareThresholdSetting),
         QString::number(annotation::DefaultOodShareThreshold), 0, 1,
         QStringLiteral("drift: a share of out-of-distribution answers above this is reported")},
        {QString::fromLatin1(annotation::DataCheckThresholds::MaxSuspectedShareSetting),
         QStringLiteral("0.03"), 0, 1,
         QStringLiteral("data checks: a version with a larger share of suspected label errors is "
                        "marked; training on it asks for confirmation"),
         annotation::Action::RunDataCheck},
        {QString::fromLatin1(annotation::DataCheckThresholds::MaxLeakageSetting),
         QStringLiteral("0.01"), 0, 1,
         QStringLiteral("data checks: a version whose held-out images have a near-duplicate in "
                        "training more often than this is marked"),
         annotation::Action::RunDataCheck},
        {QString::fromLatin1(annotation::ShadowShareSetting), QStringLiteral("0"), 0, 1,
         QStringLiteral("share of production's requests also answered by the candidate, only "
                        "to compare (disagreements are queued)"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::CanaryShareSetting), QStringLiteral("0"), 0, 1,
         QStringLiteral("share of requests the candidate answers for real; the endpoint sets 0 "
                        "when the canary does worse than production"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::CanaryWindowSetting), QStringLiteral("120"), 10, 86400,
         QStringLiteral("seconds of traffic the canary is judged over"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::CanaryErrorMarginSetting), QStringLiteral("0.02"), 0, 1,
         QStringLiteral("the canary stops when its error rate exceeds production's by more"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::CanaryLatencyMarginSetting), QStringLiteral("0.5"), 0, 100,
         QStringLiteral("the canary stops when its p99 latency exceeds production's by more "
                        "than this fraction"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::CanaryMinRequestsSetting), QStringLiteral("50"), 1,
         1000000,
         QStringLiteral("requests each side needs in the window before the canary is judged"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::MaxVersionsSetting), QStringLiteral("4"), 1, 16,
         QStringLiteral("model versions the endpoint loads at once (production, candidate and "
                        "pinned; `models pin ID`)"),
         annotation::Action::ControlServing},
        {QString::fromLatin1(annotation::InboxEnabledSetting), QStringLiteral("1"), 0, 1,
         QStringLiteral("1 (on): `watch` and `serve --watch-inbox` take files from the inbox; "
                        "0 (off): they pause"),
         annotation::Action::ControlInbox},
        {QString::fromLatin1(annotation::InboxSettleSetting),
         QString::number(annotation::InboxSettings::DefaultSettleMs), 0,
         annotation::InboxSettings::MaxSettleMs,
         QStringLiteral("ms an inbox file's size and time must stay the same before it is taken "
                        "(0: scanners write to .tmp/.part or a dot name and rename)"),
         annotation::Action::ControlInbox},
        {QString::fromLatin1(annotation::InboxRescanSetting),
         QString::number(annotation::InboxSettings::DefaultRescanSeconds), 1,
         annotation::InboxSettings::MaxRescanSeconds,
         QStringLiteral("seconds between rescans of the inbox, for lost notifications"),
         annotation::Action::ControlInbox},
    };
    return settings;
}

// The release checklist's thresholds, the sign-off waiver and the team's daily target.
void listReleaseAndTeamSettings(const storage::Workspace &workspace)
{
    const annotation::TeamSetting &target =
        *annotation::findTeamSetting(QString::fromLatin1(annotation::DailyTargetSetting));
    printOut(QStringLiteral("%1 = %2    (%3)")
                 .arg(target.key,
                      storage::SettingsRepository(workspace.db())
                          .value(target.key, QString::number(target.fallback)),
                      target.meaning));
    const annotation::ChecklistSettings checklist =
        annotation::ChecklistSettings::read(workspace.db());
    printOut(QStringLiteral("%1 = %2    (1: production may move to a model nobody approved; "
                            "for a one-person team)")
                 .arg(QString::fromLatin1(annotation::ReleaseSignOff::WaiverSetting))
                 .arg(annotation::ReleaseSignOff(workspace.db()).waived() ? 1 : 0));
    printOut(QStringLiteral("%1 = %2    (release checklist: minimum held-out accuracy, 0-1)")
                 .arg(QString::fromLatin1(annotation::ChecklistSettings::MinAccuracySetting))
                 .arg(checklist.minHeldOutAccuracy));
    printOut(QStringLiteral("%1 = %2    (release checklist: maximum calibration error, 0-1)")
                 .arg(QString::fromLatin1(annotation::ChecklistSettings::MaxEceSetting))
                 .arg(checklist.maxEce));
    printOut(QStringLiteral("%1 = %2    (release checklist: lowest recall of any class, 0-1)")
                 .arg(QString::fromLatin1(annotation::ChecklistSettings::ClassFloorSetting))
                 .arg(checklist.perClassRecallFloor));
}

// nullopt when `key` is none of them.
std::optional<int> setReleaseOrTeamSetting(const ArgumentParser &parser,
                                           const storage::Workspace &workspace, const QString &key,
                                           const QString &value)
{
    const annotation::Principal who = annotation::Principal::localOperator();
    if (key == QString::fromLatin1(annotation::DailyTargetSetting)) {
        bool ok = false;
        const double number = value.toDouble(&ok);
        if (const auto problem = annotation::checkTeamSetting(
                key, ok ? number : std::numeric_limits<double>::quiet_NaN())) {
            return parser.usageError(*problem);
        }
        const annotation::AccessControl access(workspace.db());
        access.require(who, annotation::Action::SetTeamTargets, key);
        storage::SettingsRepository(workspace.db()).setValue(key, QString::number(number));
        access.audit(who, annotation::Action::SetTeamTargets, key,
                     QStringLiteral("setting set to %1").arg(number));
        printOut(QStringLiteral("%1 = %2").arg(key).arg(number));
        return ExitOk;
    }
    if (key == QString::fromLatin1(annotation::ReleaseSignOff::WaiverSetting)) {
        if (value != QStringLiteral("0") && value != QStringLiteral("1")) {
            return parser.usageError(
                QStringLiteral("%1 takes 1 (waived) or 0 (sign-off required)").arg(key));
        }
        annotation::ReleaseSignOff(workspace.db()).setWaived(who, value == QStringLiteral("1"));
        printOut(QStringLiteral("%1 = %2").arg(key, value));
        return ExitOk;
    }
    annotation::ChecklistSettings checklist = annotation::ChecklistSettings::read(workspace.db());
    double *target = nullptr;
    if (key == QString::fromLatin1(annotation::ChecklistSettings::MinAccuracySetting)) {
        target = &checklist.minHeldOutAccuracy;
    } else if (key == QString::fromLatin1(annotation::ChecklistSettings::MaxEceSetting)) {
        target = &checklist.maxEce;
    } else if (key == QString::fromLatin1(annotation::ChecklistSettings::ClassFloorSetting)) {
        target = &checklist.perClassRecallFloor;
    } else {
        return std::nullopt;
    }
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok || !std::isfinite(number) || number < 0 || number > 1) {
        return parser.usageError(QStringLiteral("%1 takes a number from 0 to 1").arg(key));
    }
    *target = number;
    checklist.write(workspace.db(), who);
    printOut(QStringLiteral("%1 = %2").arg(key).arg(number));
    return ExitOk;
}

} // namespace

int runSettingsCommand(const QStringList &arguments)
{
    // `settings list --help` and `settings set --help` each describe their own form.
    const QString asked = arguments.value(1);
    const QString usage =
        asked == QStringLiteral("list")
            ? QStringLiteral("digitdesk settings list [--workspace DIR]")
        : asked == QStringLiteral("set")
            ? QStringLiteral("digitdesk settings set KEY VALUE [--workspace DIR]\n"
                             "(set serving.token - reads the token from the terminal or stdin)")
            : QStringLiteral("digitdesk settings list | set KEY VALUE [--workspace DIR]\n"
                             "(set serving.token - reads the token from the terminal or stdin)");
    ArgumentParser parser(
        usage, asked == QStringLiteral("list")
                   ? QStringLiteral("Every setting of the workspace with its value and meaning.")
               : asked == QStringLiteral("set")
                   ? QStringLiteral("Change one setting for every process on the workspace; "
                                    "`settings list` names them.")
                   : QStringLiteral("The workspace's settings, shared by every process on it."));
    parser.addWorkspaceOption();
    if (auto exit = parser.parse(arguments, 1, 3)) {
        return *exit;
    }
    const QString sub = parser.positional().at(0);
    const auto workspace = openWorkspace(parser.workspace());
    storage::SettingsRepository settings(workspace->db());
    const QString tokenKey = QString::fromLatin1(TokenSetting);
    if (sub == QStringLiteral("list") && parser.positional().size() == 1) {
        for (const Setting &setting : knownSettings()) {
            printOut(QStringLiteral("%1 = %2    (%3)")
                         .arg(setting.key, settings.value(setting.key, setting.fallback),
                              setting.meaning));
        }
        printOut(QStringLiteral("%1 = %2    (train once this many labels were approved since "
                                "production's dataset version; 0: never)")
                     .arg(QString::fromLatin1(annotation::RetrainingPolicy::MinNewLabelsSetting))
                     .arg(annotation::RetrainingPolicy(workspace->db())
                              .minNewLabels(annotation::Principal::localOperator())));
        printOut(QStringLiteral("%1 = %2    (the inbox folder `watch` takes scans from)")
                     .arg(QString::fromLatin1(annotation::InboxPathSetting),
                          annotation::InboxSettings::read(workspace->db()).path));
        printOut(QStringLiteral("%1 = %2    (bearer token clients off loopback must send)")
                     .arg(tokenKey, settings.value(tokenKey).isEmpty()
                                        ? QStringLiteral("(not set)")
                                        : QStringLiteral("(set; not shown)")));
        listReleaseAndTeamSettings(*workspace);
        return ExitOk;
    }
    if (sub == QStringLiteral("set") && parser.positional().size() == 3) {
        const QString key = parser.positional().at(1);
        QString value = parser.positional().at(2);
        if (key == tokenKey) {
            if (value != QStringLiteral("-")) {
                return parser.usageError(QStringLiteral("%1 is not taken on the command line, "
                                                        "where other users can read it: use "
                                                        "`digitdesk settings set %1 -` and type "
                                                        "it, or pipe it to stdin")
                                             .arg(key));
            }
            value = readPassword(QStringLiteral("Serving token: "), false);
            if (value.size() < MinimumTokenLength) {
                return parser.usageError(QStringLiteral("%1 must be at least %2 characters")
                                             .arg(key)
                                             .arg(MinimumTokenLength));
            }
            annotation::AccessControl access(workspace->db());
            const annotation::Principal who = annotation::Principal::localOperator();
            access.require(who, annotation::Action::ControlServing, key);
            settings.setValue(key, hashServingToken(value));
            access.audit(who, annotation::Action::ControlServing, key,
                         QStringLiteral("serving token changed"));
            printOut(QStringLiteral("%1 set").arg(key));
            return ExitOk;
        }
        if (key == QString::fromLatin1(annotation::RetrainingPolicy::MinNewLabelsSetting)) {
            bool ok = false;
            const int count = value.toInt(&ok);
            if (!ok || count < 0 || count > annotation::RetrainingPolicy::MaxThreshold) {
                return parser.usageError(
                    QStringLiteral("%1 takes a whole number from 0 (off) to %2")
                        .arg(key)
                        .arg(annotation::RetrainingPolicy::MaxThreshold));
            }
            annotation::RetrainingPolicy(workspace->db())
                .setMinNewLabels(annotation::Principal::localOperator(), count);
            printOut(QStringLiteral("%1 = %2").arg(key).arg(count));
            return ExitOk;
        }
        if (key == QString::fromLatin1(annotation::InboxPathSetting)) {
            annotation::InboxControl(workspace->db())
                .setPath(annotation::Principal::localOperator(), QDir(value).absolutePath());
            printOut(QStringLiteral("%1 = %2").arg(key, QDir(value).absolutePath()));
            return ExitOk;
        }
        if (key == QString::fromLatin1(annotation::InboxEnabledSetting)) {
            // A switch: people type on/off or true/false as often as 1/0.
            const QString word = value.toLower();
            if (word == QStringLiteral("on") || word == QStringLiteral("true") ||
                word == QStringLiteral("yes")) {
                value = QStringLiteral("1");
            } else if (word == QStringLiteral("off") || word == QStringLiteral("false") ||
                       word == QStringLiteral("no")) {
                value = QStringLiteral("0");
            }
        }
        if (const auto exit = setReleaseOrTeamSetting(parser, *workspace, key, value)) {
            return *exit;
        }
        for (const Setting &setting : knownSettings()) {
            if (setting.key != key) {
                continue;
            }
            bool ok = false;
            const double number = value.toDouble(&ok);
            if (!ok || !std::isfinite(number) || number < setting.minimum ||
                number > setting.maximum) {
                return parser.usageError(QStringLiteral("%1 takes a number from %2 to %3")
                                             .arg(key)
                                             .arg(setting.minimum)
                                             .arg(setting.maximum));
            }
            const annotation::Principal who = annotation::Principal::localOperator();
            annotation::ServingExperiment experiment(workspace->db());
            if (key == QString::fromLatin1(annotation::ShadowShareSetting)) {
                experiment.setShadowShare(who, number);
            } else if (key == QString::fromLatin1(annotation::CanaryShareSetting)) {
                experiment.setCanaryShare(who, number); // a new canary: the last stop is past
            } else {
                annotation::AccessControl access(workspace->db());
                access.require(who, setting.action, key);
                settings.setValue(key, value);
                access.audit(who, setting.action, key,
                             QStringLiteral("setting set to %1").arg(value));
            }
            printOut(QStringLiteral("%1 = %2").arg(key, value));
            return ExitOk;
        }
        return parser.usageError(
            QStringLiteral("unknown setting '%1'; `digitdesk settings list` shows them").arg(key));
    }
    return parser.usageError(QStringLiteral("use `settings list` or `settings set KEY VALUE`"));
}

} // namespace digitdesk::app
