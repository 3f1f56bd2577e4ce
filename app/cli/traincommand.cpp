#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "app/cli/argumentparser.h"
#include "app/cli/cancelsignal.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/evaluationreport.h"
#include "app/cli/exitcodes.h"
#include "app/cli/idxdata.h"
#include "app/cli/modeljson.h"
#include "models/trainer.h"
#include "storage/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <cstdio>

namespace digitdesk::app {
namespace {

void printJsonLine(const QJsonObject &object)
{
    std::fputs(QJsonDocument(object).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void reportProgress(const models::TrainingProgress &p, bool json)
{
    if (json) {
        QJsonObject line{{QStringLiteral("event"), QStringLiteral("progress")},
                         {QStringLiteral("epoch"), p.epoch},
                         {QStringLiteral("epochs"), p.epochs},
                         {QStringLiteral("step"), p.step},
                         {QStringLiteral("steps"), p.steps},
                         {QStringLiteral("loss"), p.loss},
                         {QStringLiteral("accuracy"), p.accuracy},
                         {QStringLiteral("learning_rate"), p.learningRate},
                         {QStringLiteral("images_per_second"), p.imagesPerSecond},
                         {QStringLiteral("eta_seconds"), p.etaSeconds},
                         {QStringLiteral("epoch_end"), p.epochEnd}};
        if (p.validationAccuracy >= 0) {
            line.insert(QStringLiteral("validation_accuracy"), p.validationAccuracy);
        }
        printJsonLine(line);
        return;
    }
    const QString text =
        QStringLiteral("epoch %1/%2  step %3/%4  loss %5  accuracy %6%  %7 images/s  ETA %8 s%9")
            .arg(p.epoch)
            .arg(p.epochs)
            .arg(p.step)
            .arg(p.steps)
            .arg(p.loss, 0, 'f', 4)
            .arg(p.accuracy * 100, 0, 'f', 1)
            .arg(p.imagesPerSecond, 0, 'f', 0)
            .arg(p.etaSeconds, 0, 'f', 0)
            .arg(p.validationAccuracy >= 0
                     ? QStringLiteral("  held-out %1%").arg(p.validationAccuracy * 100, 0, 'f', 2)
                     : QString());
    if (stderrIsTerminal()) {
        std::fprintf(stderr, "\r%s\x1b[K%s", text.toUtf8().constData(), p.epochEnd ? "\n" : "");
    } else if (p.epochEnd) {
        std::fprintf(stderr, "%s\n", text.toUtf8().constData());
    }
    std::fflush(stderr);
}

bool parseNumber(const ArgumentParser &parser, const QString &name, double *value)
{
    bool ok = false;
    *value = parser.value(name).toDouble(&ok);
    return ok;
}

} // namespace

int runTrainCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral(
            "digitdesk train (--dataset vN | --data IMAGES.idx [LABELS.idx]) [--epochs N] "
            "[--batch B] "
            "[--lr X] [--seed S] [--device auto|cpu|cuda] [--threads N] "
            "[--json-progress] [--workspace DIR]"),
        QStringLiteral("Train DigitDesk's network on a dataset version (read from dataset.git, so "
                       "exactly what the version holds) or an MNIST IDX pair (the last 20% of a "
                       "fixed permutation held out), fit its temperature, evaluate it and register "
                       "it; a model trained on a version records its commit. SIGINT or SIGTERM "
                       "cancels at the next step and registers nothing."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("The dataset version to train on (vN, or a pulled one)."),
                      QStringLiteral("vN")});
    parser.addOption({QStringLiteral("data"),
                      QStringLiteral("The IDX images file (its labels file beside it or next)."),
                      QStringLiteral("IMAGES")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Passes over the training split."),
                      QStringLiteral("N"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("Images per step."),
                      QStringLiteral("B"), QStringLiteral("128")});
    parser.addOption({QStringLiteral("lr"),
                      QStringLiteral("Peak learning rate of the one-cycle schedule."),
                      QStringLiteral("X"), QStringLiteral("0.004")});
    parser.addOption({QStringLiteral("seed"),
                      QStringLiteral("Seed of initialisation, shuffling, augmentation."),
                      QStringLiteral("S"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("device"),
                      QStringLiteral("auto (CUDA when there is one), cpu or cuda."),
                      QStringLiteral("DEVICE"), QStringLiteral("auto")});
    parser.addOption({QStringLiteral("threads"),
                      QStringLiteral("LibTorch intra-op threads (0: the core count)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption(
        {QStringLiteral("json-progress"), QStringLiteral("One JSON object per line on stdout.")});
    if (auto exit = parser.parse(arguments, 0, 1)) {
        return *exit;
    }
    const bool fromVersion = parser.isSet(QStringLiteral("dataset"));
    if (fromVersion == parser.isSet(QStringLiteral("data"))) {
        return parser.usageError(
            QStringLiteral("give either --dataset vN or --data IMAGES [LABELS], not both"));
    }
    models::TrainingOptions options;
    double epochs = 0;
    double batch = 0;
    double seed = 0;
    double threads = 0;
    if (!parseNumber(parser, QStringLiteral("epochs"), &epochs) || epochs < 1 ||
        !parseNumber(parser, QStringLiteral("batch"), &batch) || batch < 1 ||
        !parseNumber(parser, QStringLiteral("lr"), &options.learningRate) ||
        !(options.learningRate > 0) || !parseNumber(parser, QStringLiteral("seed"), &seed) ||
        seed < 0 || !parseNumber(parser, QStringLiteral("threads"), &threads) || threads < 0) {
        return parser.usageError(
            QStringLiteral("--epochs, --batch, --lr, --seed and --threads take positive numbers"));
    }
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &options.device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    options.epochs = static_cast<int>(epochs);
    options.batchSize = static_cast<int>(batch);
    options.seed = static_cast<quint64>(seed);
    options.threads = static_cast<int>(threads);
    const bool json = parser.isSet(QStringLiteral("json-progress"));

    const auto workspace = openWorkspace(parser.workspace());
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::ModelRegistry registry(workspace->db(), workspace->root());
    // A version is checked out of git into the IDX pair the trainer reads: the live tables may
    // have moved on since it was committed.
    QTemporaryDir checkout;
    QString datasetCommit;
    IdxData data;
    if (fromVersion) {
        const annotation::DatasetService datasets(workspace->db(), workspace->root());
        const QString tag = parser.value(QStringLiteral("dataset"));
        const annotation::DatasetVersion version = datasets.version(who, tag);
        const auto [images, labels] = datasets.trainingFiles(who, tag, checkout.path());
        data = readIdxData(images, labels);
        data.source = QStringLiteral("dataset %1 (%2)").arg(version.tag, version.commitId);
        datasetCommit = version.commitId;
    } else {
        data = readIdxData(parser.value(QStringLiteral("data")), parser.positional().value(1));
    }
    const QString hyperparameters = QString::fromUtf8(
        QJsonDocument(hyperparametersJson(options)).toJson(QJsonDocument::Compact));
    const qint64 runId = registry.beginTraining(who, data.source, data.digest, hyperparameters);

    const QString output =
        QDir(workspace->modelsPath()).filePath(QStringLiteral("run-%1.partial.pt").arg(runId));
    QDir().mkpath(QDir(workspace->modelsPath()).filePath(QStringLiteral("checkpoints")));
    options.checkpointPath =
        QDir(workspace->modelsPath()).filePath(QStringLiteral("checkpoints/run-%1.pt").arg(runId));
    const std::atomic<bool> &cancel = installCancelSignals();
    models::TrainingResult result;
    try {
        if (!json) {
            printErr(QStringLiteral("Training run %1 on %2 images (%3).")
                         .arg(runId)
                         .arg(data.images.count())
                         .arg(data.source));
        }
        result = models::Trainer::train(
            data.images, options, output,
            [json](const models::TrainingProgress &p) { reportProgress(p, json); }, &cancel);
    } catch (const std::exception &error) {
        QFile::remove(output);
        registry.endTrainingWithoutModel(who, runId, QStringLiteral("failed"),
                                         QString::fromUtf8(error.what()));
        throw;
    }
    if (result.cancelled) {
        QFile::remove(output);
        registry.endTrainingWithoutModel(
            who, runId, QStringLiteral("cancelled"),
            QStringLiteral("cancelled by a signal after %1 epoch(s)").arg(result.epochsDone));
        if (json) {
            printJsonLine({{QStringLiteral("event"), QStringLiteral("cancelled")},
                           {QStringLiteral("run"), runId}});
        } else {
            printErr(
                QStringLiteral("\nTraining run %1 cancelled; no model registered.").arg(runId));
        }
        return ExitCancelled;
    }
    annotation::TrainedModel trained =
        trainedModel(output, options, result, hyperparameters, data.digest);
    trained.datasetCommit = datasetCommit;
    const qint64 modelId = registry.registerTrained(who, runId, trained);
    QFile::remove(options.checkpointPath); // the registered model supersedes it
    if (json) {
        printJsonLine({{QStringLiteral("event"), QStringLiteral("registered")},
                       {QStringLiteral("run"), runId},
                       {QStringLiteral("model_id"), modelId},
                       {QStringLiteral("metrics"), metricsJson(result)}});
    } else {
        printOut(
            QStringLiteral("Registered model %1 (run %2): %3 epochs in %4 s on %5, %6 images/s.")
                .arg(modelId)
                .arg(runId)
                .arg(result.epochsDone)
                .arg(result.seconds, 0, 'f', 1)
                .arg(result.device)
                .arg(result.imagesPerSecond, 0, 'f', 0));
        printOut(QStringLiteral("Held-out split (%1 images):").arg(result.validationCount));
        printOut(
            formatEvaluation(result.raw, result.calibrated, result.temperature, result.baselines));
        printOut(QStringLiteral(
                     "Make it production with: digitdesk models alias %1 production --reason TEXT")
                     .arg(modelId));
    }
    return ExitOk;
}

} // namespace digitdesk::app
