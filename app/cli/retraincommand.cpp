#include "annotation/datacheckthresholds.h"
#include "annotation/principal.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "annotation/userservice.h"
#include "app/cli/argumentparser.h"
#include "app/cli/cancelsignal.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/cli/trainingjob.h"
#include "storage/workspace.h"

namespace digitdesk::app {

int runRetrainCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk retrain [--if-due] [--device auto|cpu|cuda] [--threads N] "
                       "[--json-progress] [--workspace DIR]"),
        QStringLiteral("Commit the approved labels as a new dataset version (the newest one when "
                       "nothing changed since) and train on it in the foreground with the default "
                       "hyperparameters, as `digitdesk train` does. With --if-due, only when the "
                       "retraining policy says a run is due (`digitdesk settings set "
                       "retrain.min_new_labels N`): otherwise it prints why not and exits 0. "
                       "`digitdesk serve` runs `retrain --if-due` once a minute."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("if-due"),
                      QStringLiteral("Only when the retraining policy says a run is due; the "
                                     "run keeps the policy's reason.")});
    addRunOptions(parser);
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    TrainingJob job;
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &job.options.device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    bool ok = false;
    job.options.threads = parser.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || job.options.threads < 0) {
        return parser.usageError(QStringLiteral("--threads takes a whole number, 0 or more"));
    }
    job.json = parser.isSet(QStringLiteral("json-progress"));
    job.hyperparameters = hyperparametersOf(job.options);
    const bool ifDue = parser.isSet(QStringLiteral("if-due"));
    const std::atomic<bool> &cancel = installCancelSignals();

    const auto workspace = openWorkspace(parser.workspace());
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::TrainingRuns runs(workspace->db(), workspace->root());
    runs.markStaleRuns();
    QString reason = QStringLiteral("manual");
    if (ifDue) {
        const annotation::RetrainingCheck check =
            annotation::RetrainingPolicy(workspace->db()).due(who);
        if (!check.due) {
            printOut(QStringLiteral("not due: %1").arg(check.reason));
            return ExitOk;
        }
        reason = annotation::RetrainingPolicy::ReasonPrefix + check.reason;
        printErr(QStringLiteral("Retraining is due: %1").arg(check.reason));
    }
    const annotation::DatasetVersion version = runs.commitApproved(
        who, ifDue ? QStringLiteral("approved labels for retraining (%1)").arg(reason)
                   : QStringLiteral("approved labels for retraining"));
    // Nothing new since a version that a data check marked: nobody is there to confirm.
    const annotation::DataCheckStanding standing =
        annotation::dataCheckStanding(workspace->db(), version.tag);
    if (standing.overThreshold) {
        if (ifDue) {
            printOut(QStringLiteral("not due: %1; train on it with digitdesk train --dataset %2 "
                                    "--confirm-checks")
                         .arg(standing.summary, version.tag));
            return ExitOk;
        }
        throw annotation::InvalidRequest(
            QStringLiteral("%1; train on it with digitdesk train --dataset %2 --confirm-checks")
                .arg(standing.summary, version.tag));
    }
    try {
        job.runId = runs.beginRun(who, version.tag, job.hyperparameters, reason);
    } catch (const annotation::RunInProgress &running) {
        if (!ifDue) {
            throw;
        }
        // Another process started a run since the check: that one is the policy's run.
        printOut(QStringLiteral("not due: %1").arg(QString::fromUtf8(running.what())));
        return ExitOk;
    }
    const storage::TrainingRunRecord run = runs.claim(who, job.runId, job.hyperparameters);
    job.datasetTag = run.datasetTag;
    job.datasetCommit = run.datasetCommit;
    return carryOutTrainingRun(*workspace, std::move(job), cancel);
}

} // namespace digitdesk::app
