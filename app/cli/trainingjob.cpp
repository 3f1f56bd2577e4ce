#include "app/cli/trainingjob.h"

#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/trainingruns.h"
#include "app/cli/argumentparser.h"
#include "app/cli/console.h"
#include "app/cli/evaluationreport.h"
#include "app/cli/exitcodes.h"
#include "app/cli/modeljson.h"
#include "models/backendloader.h"
#include "storage/connection.h"
#include "storage/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>

namespace digitdesk::app {
namespace {

// What the run prints, also appended to its log file line by line, so the last lines are on
// disk whenever the process dies.
class RunLog final
{
public:
    explicit RunLog(const QString &path) : m_file(path)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append)) {
            printErr(QStringLiteral("digitdesk: cannot write the run's log %1: %2")
                         .arg(path, m_file.errorString()));
        }
    }

    // The log first: whatever a reader of stdout saw is in the log when the process dies.
    void out(const QString &line)
    {
        write(line);
        printOut(line);
    }
    void err(const QString &line)
    {
        write(line);
        printErr(line);
    }
    void event(const QJsonObject &object)
    {
        out(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    }
    void write(const QString &line)
    {
        if (m_file.isOpen()) {
            m_file.write(line.toUtf8() + '\n');
            m_file.flush();
        }
    }

private:
    QFile m_file;
};

QJsonObject progressJson(const models::TrainingProgress &p)
{
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
    return line;
}

QString progressText(const models::TrainingProgress &p)
{
    return QStringLiteral("epoch %1/%2  step %3/%4  loss %5  accuracy %6%  %7 images/s  ETA %8 s%9")
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
}

void reportProgress(const models::TrainingProgress &p, bool json, RunLog &log)
{
    if (json) {
        log.event(progressJson(p));
        return;
    }
    const QString text = progressText(p);
    if (stderrIsTerminal()) {
        std::fprintf(stderr, "\r%s\x1b[K%s", text.toUtf8().constData(), p.epochEnd ? "\n" : "");
        std::fflush(stderr);
        if (p.epochEnd) {
            log.write(text);
        }
    } else if (p.epochEnd) {
        log.err(text);
    }
}

// The trainer's split and step count (Trainer::train), announced before it starts.
QJsonObject startedJson(const TrainingJob &job, const IdxData &data)
{
    const auto count = static_cast<qint64>(data.images.count());
    const auto validation = static_cast<qint64>(
        std::floor(static_cast<double>(count) * job.options.validationFraction));
    const qint64 train = count - validation;
    const qint64 steps =
        (train + job.options.batchSize - 1) / job.options.batchSize * job.options.epochs;
    return {{QStringLiteral("event"), QStringLiteral("started")},
            {QStringLiteral("run"), job.runId},
            {QStringLiteral("dataset"), job.datasetTag},
            {QStringLiteral("commit"), job.datasetCommit},
            {QStringLiteral("source"), data.source},
            {QStringLiteral("train"), train},
            {QStringLiteral("validation"), validation},
            {QStringLiteral("steps"), steps},
            {QStringLiteral("epochs"), job.options.epochs}};
}

// Checks the version out into `folder` and reads it, on a worker with its own connection while
// this thread watches `cancel`: the checkout itself cannot be interrupted (2.5 s at 60,000
// images). nullopt when cancelled; the worker is then left running, to the process's end.
std::optional<IdxData> checkOut(const storage::Workspace &workspace, const QString &tag,
                                const QString &folder, const std::atomic<bool> &cancel)
{
    auto promise = std::make_shared<std::promise<IdxData>>();
    std::future<IdxData> result = promise->get_future();
    std::thread worker(
        [promise, root = workspace.root(), database = workspace.databasePath(), tag, folder] {
            try {
                const storage::Connection connection(database);
                const auto [images, labels] =
                    annotation::DatasetService(connection.db(), root)
                        .trainingFiles(annotation::Principal::localOperator(), tag, folder);
                promise->set_value(readIdxData(images, labels));
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        });
    while (result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
        if (cancel.load()) {
            worker.detach();
            return std::nullopt;
        }
    }
    worker.join();
    return result.get();
}

void printRegistered(const models::TrainingResult &result, qint64 modelId, qint64 runId,
                     RunLog &log)
{
    log.out(QStringLiteral("Registered model %1 (run %2): %3 epochs in %4 s on %5, %6 images/s.")
                .arg(modelId)
                .arg(runId)
                .arg(result.epochsDone)
                .arg(result.seconds, 0, 'f', 1)
                .arg(result.device)
                .arg(result.imagesPerSecond, 0, 'f', 0));
    log.out(QStringLiteral("Held-out split (%1 images):").arg(result.validationCount));
    log.out(formatEvaluation(result.raw, result.calibrated, result.temperature, result.baselines));
    log.out(QStringLiteral("Make it production with: digitdesk models promote %1 --reason TEXT")
                .arg(modelId));
}

} // namespace

int carryOutTrainingRun(const storage::Workspace &workspace, TrainingJob job,
                        const std::atomic<bool> &cancel)
{
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::TrainingRuns runs(workspace.db(), workspace.root());
    annotation::ModelRegistry registry(workspace.db(), workspace.root());
    RunLog log(runs.logPath(job.runId));
    const QString output =
        QDir(workspace.modelsPath()).filePath(QStringLiteral("run-%1.partial.pt").arg(job.runId));
    QDir().mkpath(QDir(workspace.modelsPath()).filePath(QStringLiteral("checkpoints")));
    job.options.checkpointPath =
        QDir(workspace.modelsPath())
            .filePath(QStringLiteral("checkpoints/run-%1.pt").arg(job.runId));
    const auto cancelled = [&](const QString &when) {
        QFile::remove(output);
        QFile::remove(job.options.checkpointPath);
        const QString message = QStringLiteral("cancelled by a signal %1").arg(when);
        if (job.json) {
            log.event({{QStringLiteral("event"), QStringLiteral("cancelled")},
                       {QStringLiteral("run"), job.runId},
                       {QStringLiteral("message"), message}});
        } else {
            log.err(QStringLiteral("\nTraining run %1 %2; no model registered.")
                        .arg(job.runId)
                        .arg(message));
        }
        runs.markCancelled(who, job.runId, message,
                           annotation::TrainingRuns::readLogTail(runs.logPath(job.runId)));
        return static_cast<int>(ExitCancelled);
    };

    try {
        // A version is checked out of git into the IDX pair the trainer reads: the live tables
        // may have moved on since it was committed.
        if (!job.data) {
            if (cancel.load()) {
                return cancelled(QStringLiteral("before the checkout"));
            }
            if (!job.json) {
                log.err(QStringLiteral("Checking out %1 (commit %2)...")
                            .arg(job.datasetTag, job.datasetCommit));
            }
            QTemporaryDir checkout;
            job.data = checkOut(workspace, job.datasetTag, checkout.path(), cancel);
            if (!job.data) {
                const int exit = cancelled(QStringLiteral("during the checkout"));
                // The checkout goes on in its thread, so the process ends here without waiting
                // for it (or destroying what it uses); its files go with the folder.
                checkout.remove();
                std::fflush(stdout);
                std::fflush(stderr);
                std::_Exit(exit);
            }
            job.data->source =
                QStringLiteral("dataset %1 (%2)").arg(job.datasetTag, job.datasetCommit);
        }
        // LibTorch is loaded at first use (models/backendloader.h): load it before "started"
        // is announced, so that a cancel after that line is answered within one step.
        models::preloadBackend();
        if (cancel.load()) {
            return cancelled(QStringLiteral("before training started"));
        }
        if (job.json) {
            log.event(startedJson(job, *job.data));
        } else {
            log.err(QStringLiteral("Training run %1 on %2 images (%3).")
                        .arg(job.runId)
                        .arg(job.data->images.count())
                        .arg(job.data->source));
        }
        const models::TrainingResult result = models::Trainer::train(
            job.data->images, job.options, output,
            [&](const models::TrainingProgress &p) {
                reportProgress(p, job.json, log);
                if (p.epochEnd) {
                    runs.saveProgress(
                        who, job.runId,
                        QString::fromUtf8(
                            QJsonDocument(progressJson(p)).toJson(QJsonDocument::Compact)));
                }
            },
            &cancel);
        if (result.cancelled) {
            return cancelled(QStringLiteral("after %1 epoch(s)").arg(result.epochsDone));
        }
        if (cancel.load()) {
            return cancelled(QStringLiteral("during the evaluation"));
        }
        annotation::TrainedModel trained =
            trainedModel(output, job.options, result, job.hyperparameters, job.data->digest);
        trained.datasetCommit = job.datasetCommit;
        const qint64 modelId = registry.registerTrained(who, job.runId, trained);
        QFile::remove(job.options.checkpointPath); // the registered model supersedes it
        if (job.json) {
            log.event({{QStringLiteral("event"), QStringLiteral("registered")},
                       {QStringLiteral("run"), job.runId},
                       {QStringLiteral("model_id"), modelId},
                       {QStringLiteral("metrics"), metricsJson(result)}});
        } else {
            printRegistered(result, modelId, job.runId, log);
        }
        return ExitOk;
    } catch (const std::exception &error) {
        QFile::remove(output);
        const QString message = QString::fromUtf8(error.what());
        if (job.json) {
            log.event({{QStringLiteral("event"), QStringLiteral("failed")},
                       {QStringLiteral("run"), job.runId},
                       {QStringLiteral("message"), message}});
        } else {
            log.write(QStringLiteral("digitdesk: %1").arg(message)); // runCli prints it
        }
        runs.markFailed(who, job.runId, message,
                        annotation::TrainingRuns::readLogTail(runs.logPath(job.runId)));
        throw;
    }
}

void addRunOptions(ArgumentParser &parser)
{
    parser.addOption({QStringLiteral("device"),
                      QStringLiteral("auto (CUDA when there is one), cpu or cuda."),
                      QStringLiteral("DEVICE"), QStringLiteral("auto")});
    parser.addOption({QStringLiteral("threads"),
                      QStringLiteral("LibTorch intra-op threads (0: the core count)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption(
        {QStringLiteral("json-progress"), QStringLiteral("One JSON object per line on stdout.")});
}

QString hyperparametersOf(const models::TrainingOptions &options)
{
    return QString::fromUtf8(
        QJsonDocument(hyperparametersJson(options)).toJson(QJsonDocument::Compact));
}

} // namespace digitdesk::app
