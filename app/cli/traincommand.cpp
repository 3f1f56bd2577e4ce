#include "annotation/datacheckthresholds.h"
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/trainingruns.h"
#include "annotation/userservice.h"
#include "app/cli/argumentparser.h"
#include "app/cli/cancelsignal.h"
#include "app/cli/commands.h"
#include "app/cli/exitcodes.h"
#include "app/cli/idxdata.h"
#include "app/cli/trainingjob.h"
#include "models/trainer.h"
#include "storage/workspace.h"

#include <csignal>
#include <optional>
#include <tuple>

namespace digitdesk::app {
namespace {

void addTrainingOptions(ArgumentParser &parser)
{
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Passes over the training split."),
                      QStringLiteral("N"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("Images per step."),
                      QStringLiteral("B"), QStringLiteral("128")});
    parser.addOption({QStringLiteral("lr"),
                      QStringLiteral("Peak learning rate of the one-cycle schedule."),
                      QStringLiteral("X"), QStringLiteral("0.004")});
    parser.addOption({QStringLiteral("weight-decay"), QStringLiteral("AdamW's weight decay."),
                      QStringLiteral("X"), QStringLiteral("0.0005")});
    parser.addOption({QStringLiteral("augment"),
                      QStringLiteral("on: rotate, shift and scale the training images a little; "
                                     "off: train on them as they are."),
                      QStringLiteral("on|off"), QStringLiteral("on")});
    parser.addOption({QStringLiteral("seed"),
                      QStringLiteral("Seed of initialisation, shuffling, augmentation."),
                      QStringLiteral("S"), QStringLiteral("1")});
    addRunOptions(parser);
}

// Reads the training options; a usage error says which one is wrong.
std::optional<int> readTrainingOptions(const ArgumentParser &parser,
                                       models::TrainingOptions *options)
{
    qint64 epochs = 0;
    qint64 batch = 0;
    qint64 seed = 0;
    qint64 threads = 0;
    for (const auto &[name, lowest, highest, value] :
         {std::tuple{QStringLiteral("epochs"), qint64{1}, qint64{10000}, &epochs},
          std::tuple{QStringLiteral("batch"), qint64{1}, qint64{65536}, &batch},
          std::tuple{QStringLiteral("seed"), qint64{0}, qint64{1} << 53, &seed},
          std::tuple{QStringLiteral("threads"), qint64{0}, qint64{1024}, &threads}}) {
        if (auto exit = parser.wholeNumber(name, lowest, highest, value)) {
            return exit;
        }
    }
    bool ok = false;
    options->learningRate = parser.value(QStringLiteral("lr")).toDouble(&ok);
    if (!ok || !(options->learningRate > 0) || options->learningRate > 10) {
        return parser.usageError(
            QStringLiteral("--lr takes a number above 0 and at most 10, not '%1'")
                .arg(parser.value(QStringLiteral("lr"))));
    }
    options->weightDecay = parser.value(QStringLiteral("weight-decay")).toDouble(&ok);
    if (!ok || !(options->weightDecay >= 0) || options->weightDecay > 1) {
        return parser.usageError(QStringLiteral("--weight-decay takes a number from 0 to 1"));
    }
    const QString augment = parser.value(QStringLiteral("augment"));
    if (augment != QStringLiteral("on") && augment != QStringLiteral("off")) {
        return parser.usageError(
            QStringLiteral("--augment takes on or off, not '%1'").arg(augment));
    }
    options->augment = augment == QStringLiteral("on");
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &options->device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    options->epochs = static_cast<int>(epochs);
    options->batchSize = static_cast<int>(batch);
    options->seed = static_cast<quint64>(seed);
    options->threads = static_cast<int>(threads);
    return std::nullopt;
}

} // namespace

int runTrainCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral(
            "digitdesk train (--dataset vN | --commit-approved | --run ID | --data IMAGES.idx "
            "[LABELS.idx]) [--reason TEXT] [--epochs N] [--batch B] [--lr X] "
            "[--weight-decay X] [--augment on|off] [--seed S] [--device auto|cpu|cuda] "
            "[--threads N] [--json-progress] [--confirm-checks] [--workspace DIR]"),
        QStringLiteral("Train DigitDesk's network on a dataset version (read from dataset.git, so "
                       "exactly what the version holds) or an MNIST IDX pair (the last 20% of a "
                       "fixed permutation held out), fit its temperature, evaluate it and register "
                       "it; a model trained on a version records its commit. One run at a time. "
                       "Its output also goes to logs/train-run-<id>.log in the workspace. SIGINT "
                       "or SIGTERM cancels at the next step and registers nothing."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("The dataset version to train on (vN, or a pulled one)."),
                      QStringLiteral("vN")});
    parser.addOption({QStringLiteral("commit-approved"),
                      QStringLiteral("Commit the approved labels now and train on that version "
                                     "(the newest one when nothing changed since).")});
    parser.addOption({QStringLiteral("run"),
                      QStringLiteral("Carry out a run that the GUI began (on its version)."),
                      QStringLiteral("ID")});
    parser.addOption({QStringLiteral("data"),
                      QStringLiteral("The IDX images file (its labels file beside it or next)."),
                      QStringLiteral("IMAGES")});
    parser.addOption({QStringLiteral("reason"),
                      QStringLiteral("Why the run starts, kept with it. Default: manual."),
                      QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("confirm-checks"),
                      QStringLiteral("Train even on a version over the data-check thresholds "
                                     "(checks.max_suspected_share, checks.max_leakage).")});
    addTrainingOptions(parser);
    if (auto exit = parser.parse(arguments, 0, 1)) {
        return *exit;
    }
    const bool adopt = parser.isSet(QStringLiteral("run"));
    const bool fromIdx = parser.isSet(QStringLiteral("data"));
    const bool commitApproved = parser.isSet(QStringLiteral("commit-approved"));
    // --run may name its version too (it is checked against the run's).
    const bool fromVersion = parser.isSet(QStringLiteral("dataset")) && !adopt;
    if (int(adopt) + int(fromIdx) + int(commitApproved) + int(fromVersion) != 1) {
        return parser.usageError(QStringLiteral("give one of --dataset vN, --commit-approved, "
                                                "--run ID or --data IMAGES [LABELS]"));
    }
    qint64 runId = 0;
    if (adopt) {
        bool ok = false;
        runId = parser.value(QStringLiteral("run")).toLongLong(&ok);
        if (!ok || runId <= 0) {
            return parser.usageError(QStringLiteral("--run takes a run id, not '%1'")
                                         .arg(parser.value(QStringLiteral("run"))));
        }
        if (parser.isSet(QStringLiteral("reason"))) {
            return parser.usageError(QStringLiteral("--reason is for a new run: run %1 was "
                                                    "given its reason when it began")
                                         .arg(runId));
        }
    }
    TrainingJob job;
    if (auto exit = readTrainingOptions(parser, &job.options)) {
        return *exit;
    }
    job.json = parser.isSet(QStringLiteral("json-progress"));
    job.hyperparameters = hyperparametersOf(job.options);
    const QString reason = parser.isSet(QStringLiteral("reason"))
                               ? parser.value(QStringLiteral("reason"))
                               : QStringLiteral("manual");
    const std::atomic<bool> &cancel = installCancelSignals();
    // The GUI that reads our progress may close or crash: the run goes on (its log file has
    // every line), rather than dying of a write to a pipe nobody reads.
    std::signal(SIGPIPE, SIG_IGN);

    const auto workspace = openWorkspace(parser.workspace());
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::TrainingRuns runs(workspace->db(), workspace->root());
    runs.markStaleRuns();
    if (fromIdx) {
        IdxData data =
            readIdxData(parser.value(QStringLiteral("data")), parser.positional().value(1));
        runId = runs.beginRunOnFiles(who, data.source, data.digest, job.hyperparameters, reason);
        job.data = std::move(data);
    } else if (!adopt) {
        const QString tag = commitApproved
                                ? runs.commitApproved(who, QStringLiteral("approved labels, "
                                                                          "committed to train on"))
                                      .tag
                                : parser.value(QStringLiteral("dataset"));
        const annotation::DataCheckStanding standing =
            annotation::dataCheckStanding(workspace->db(), tag);
        if (standing.overThreshold && !parser.isSet(QStringLiteral("confirm-checks"))) {
            throw annotation::InvalidRequest(
                QStringLiteral("%1; add --confirm-checks to train on it anyway")
                    .arg(standing.summary));
        }
        runId = runs.beginRun(who, tag, job.hyperparameters, reason);
    } else if (parser.isSet(QStringLiteral("dataset"))) {
        const storage::TrainingRunRecord run = runs.find(who, runId);
        if (run.datasetTag != parser.value(QStringLiteral("dataset"))) {
            throw annotation::InvalidRequest(
                QStringLiteral("run %1 trains on %2, not %3")
                    .arg(runId)
                    .arg(run.datasetTag.isEmpty() ? run.dataSource : run.datasetTag,
                         parser.value(QStringLiteral("dataset"))));
        }
    }
    const storage::TrainingRunRecord run = runs.claim(who, runId, job.hyperparameters);
    job.runId = runId;
    if (!fromIdx) {
        if (run.datasetTag.isEmpty()) {
            throw annotation::InvalidRequest(
                QStringLiteral("run %1 has no dataset version to train on").arg(runId));
        }
        job.datasetTag = run.datasetTag;
        job.datasetCommit = run.datasetCommit;
    }
    return carryOutTrainingRun(*workspace, std::move(job), cancel);
}

} // namespace digitdesk::app
