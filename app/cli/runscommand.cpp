#include "annotation/principal.h"
#include "annotation/trainingruns.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/workspace.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace digitdesk::app {
namespace {

QString durationOf(const storage::TrainingRunRecord &run)
{
    const QDateTime end =
        run.finishedAt.isValid() ? run.finishedAt : QDateTime::currentDateTimeUtc();
    const qint64 seconds = std::max<qint64>(0, run.startedAt.secsTo(end));
    if (seconds < 120) {
        return QStringLiteral("%1 s").arg(seconds);
    }
    if (seconds < 7200) {
        return QStringLiteral("%1 min").arg(seconds / 60);
    }
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

// The held-out accuracy of the run's model, or -1.
double heldOutAccuracy(const storage::TrainingRunRecord &run)
{
    return QJsonDocument::fromJson(run.metrics.toUtf8())
        .object()
        .value(QStringLiteral("validation"))
        .toObject()
        .value(QStringLiteral("accuracy"))
        .toDouble(-1);
}

QString datasetOf(const storage::TrainingRunRecord &run)
{
    return run.datasetTag.isEmpty() ? QStringLiteral("(files)") : run.datasetTag;
}

int list(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk runs list [--limit N] [--workspace DIR]"),
                          QStringLiteral("Training runs, newest first: who, when, on which "
                                         "version, how it went and why it started."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("limit"), QStringLiteral("Show at most N runs."),
                      QStringLiteral("N"), QStringLiteral("20")});
    if (auto exit = parser.parse(arguments, 1, 1)) {
        return *exit;
    }
    bool ok = false;
    const int limit = parser.value(QStringLiteral("limit")).toInt(&ok);
    if (!ok || limit < 1) {
        return parser.usageError(QStringLiteral("--limit takes a whole number, 1 or more"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    annotation::TrainingRuns runs(workspace->db(), workspace->root());
    runs.markStaleRuns();
    const auto all = runs.list(annotation::Principal::localOperator(), limit);
    if (all.empty()) {
        printOut(QStringLiteral("No training runs yet."));
        return ExitOk;
    }
    printOut(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                 .arg(QStringLiteral("RUN"), 4)
                 .arg(QStringLiteral("STARTED (UTC)"), -20)
                 .arg(QStringLiteral("BY"), -20)
                 .arg(QStringLiteral("DATASET"), -8)
                 .arg(QStringLiteral("STATUS"), -9)
                 .arg(QStringLiteral("DURATION"), -9)
                 .arg(QStringLiteral("HELD-OUT"), -8)
                 .arg(QStringLiteral("MODEL"), -5)
                 .arg(QStringLiteral("WHY")));
    for (const storage::TrainingRunRecord &run : all) {
        const double accuracy = heldOutAccuracy(run);
        printOut(QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9")
                     .arg(run.id, 4)
                     .arg(run.startedAt.toUTC().toString(Qt::ISODate), -20)
                     .arg(run.startedBy, -20)
                     .arg(datasetOf(run), -8)
                     .arg(run.status, -9)
                     .arg(durationOf(run), -9)
                     .arg(accuracy >= 0 ? QStringLiteral("%1%").arg(accuracy * 100, 0, 'f', 2)
                                        : QStringLiteral("-"),
                          -8)
                     .arg(run.modelId > 0 ? QString::number(run.modelId) : QStringLiteral("-"), -5)
                     .arg(run.status == QStringLiteral("failed") ||
                                  run.status == QStringLiteral("cancelled")
                              ? QStringLiteral("%1; %2").arg(run.startedBecause, run.message)
                              : run.startedBecause));
    }
    return ExitOk;
}

int show(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk runs show ID [--workspace DIR]"),
                          QStringLiteral("Everything recorded of a training run."));
    parser.addWorkspaceOption();
    if (auto exit = parser.parse(arguments, 2, 2)) {
        return *exit;
    }
    bool ok = false;
    const qint64 id = parser.positional().at(1).toLongLong(&ok);
    if (!ok || id <= 0) {
        return parser.usageError(
            QStringLiteral("'%1' is not a run id").arg(parser.positional().at(1)));
    }
    const auto workspace = openWorkspace(parser.workspace());
    annotation::TrainingRuns runs(workspace->db(), workspace->root());
    runs.markStaleRuns();
    const storage::TrainingRunRecord run = runs.find(annotation::Principal::localOperator(), id);
    printOut(QStringLiteral("run              %1").arg(run.id));
    printOut(QStringLiteral("status           %1").arg(run.status));
    printOut(QStringLiteral("started          %1 by %2")
                 .arg(run.startedAt.toUTC().toString(Qt::ISODateWithMs), run.startedBy));
    if (run.finishedAt.isValid()) {
        printOut(QStringLiteral("finished         %1 (took %2)")
                     .arg(run.finishedAt.toUTC().toString(Qt::ISODateWithMs), durationOf(run)));
    } else {
        printOut(QStringLiteral("running for      %1").arg(durationOf(run)));
    }
    printOut(QStringLiteral("started because  %1").arg(run.startedBecause));
    printOut(
        QStringLiteral("dataset version  %1")
            .arg(run.datasetTag.isEmpty()
                     ? QStringLiteral("none (%1)").arg(run.dataSource)
                     : QStringLiteral("%1 (commit %2)").arg(run.datasetTag, run.datasetCommit)));
    printOut(QStringLiteral("hyperparameters  %1").arg(run.hyperparameters));
    printOut(QStringLiteral("process          %1")
                 .arg(run.pid > 0 ? QStringLiteral("%1 on %2").arg(run.pid).arg(run.host)
                                  : QStringLiteral("none yet")));
    if (run.progress != QStringLiteral("{}")) {
        printOut(QStringLiteral("last epoch       %1").arg(run.progress));
    }
    const double accuracy = heldOutAccuracy(run);
    if (accuracy >= 0) {
        printOut(QStringLiteral("held-out accuracy %1%").arg(accuracy * 100, 0, 'f', 2));
    }
    printOut(QStringLiteral("model            %1")
                 .arg(run.modelId > 0 ? QString::number(run.modelId) : QStringLiteral("none")));
    if (run.metrics != QStringLiteral("{}")) {
        printOut(QStringLiteral("metrics          %1").arg(run.metrics));
    }
    if (!run.message.isEmpty()) {
        printOut(QStringLiteral("message          %1").arg(run.message));
    }
    if (!run.logTail.isEmpty()) {
        printOut(QStringLiteral("last log lines (%1):").arg(runs.logPath(run.id)));
        for (const QString &line : run.logTail.split(QLatin1Char('\n'))) {
            printOut(QStringLiteral("  ") + line);
        }
    }
    return ExitOk;
}

} // namespace

int runRunsCommand(const QStringList &arguments)
{
    const QString sub =
        subcommandOf(arguments, {QStringLiteral("--workspace"), QStringLiteral("--limit")});
    if (sub == QStringLiteral("list")) {
        return list(arguments);
    }
    if (sub == QStringLiteral("show")) {
        return show(arguments);
    }
    ArgumentParser parser(QStringLiteral("digitdesk runs list|show ..."),
                          QStringLiteral("Training runs: who started them, on which dataset "
                                         "version, how they ended and why they started."));
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        return parser.parse(arguments, 0, -1).value_or(ExitOk);
    }
    return parser.usageError(sub.isEmpty() ? QStringLiteral("missing subcommand")
                                           : QStringLiteral("unknown subcommand '%1'").arg(sub));
}

} // namespace digitdesk::app
