#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "annotation/releasesignoff.h"
#include "annotation/servingexperiment.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/workspace.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace digitdesk::app {
namespace {

QString summaryOf(const storage::ModelRecord &model)
{
    const QJsonObject metrics = QJsonDocument::fromJson(model.metrics.toUtf8()).object();
    const double accuracy = metrics.value(QStringLiteral("validation"))
                                .toObject()
                                .value(QStringLiteral("accuracy"))
                                .toDouble(-1);
    return QStringLiteral("%1 %2 %3 %4 %5")
        .arg(model.id, 4)
        .arg(model.architecture, -12)
        .arg(model.createdAt.toString(Qt::ISODate), -21)
        .arg(model.createdBy, -20)
        .arg(accuracy >= 0 ? QStringLiteral("held-out accuracy %1%").arg(accuracy * 100, 0, 'f', 2)
                           : model.note);
}

void printAliases(const annotation::ModelRegistry &registry, qint64 id)
{
    for (const QString &alias : {annotation::ProductionAlias, annotation::CandidateAlias}) {
        try {
            if (registry.resolve(alias) == id) {
                printOut(QStringLiteral("alias            %1").arg(alias));
            }
        } catch (const std::exception &) {
        }
    }
}

// The model's release status, its decisions and, when the trainer recorded held-out figures,
// the workspace's checklist on them.
void printSignOff(const storage::Workspace &workspace, const storage::ModelRecord &model)
{
    const annotation::ReleaseSignOff signOff(workspace.db());
    printOut(QStringLiteral("release          %1%2")
                 .arg(annotation::toString(signOff.statusOf(model.id)),
                      signOff.waived() ? QStringLiteral(" (sign-off waived in this workspace: "
                                                        "production may move to any model)")
                                       : QString()));
    for (const annotation::ReleaseDecision &decision : signOff.historyOf(model.id)) {
        printOut(
            QStringLiteral("decision         %1 %2 by %3%4")
                .arg(decision.decidedAt.toString(Qt::ISODateWithMs),
                     decision.approved ? QStringLiteral("approved") : QStringLiteral("rejected"),
                     decision.decidedBy,
                     decision.comment.isEmpty()
                         ? QString()
                         : QStringLiteral(": ") + oneLine(decision.comment)));
    }
    const auto figures = annotation::recordedHeldOutFigures(model);
    if (!figures) {
        printOut(QStringLiteral("checklist        not checked: the model has no held-out figures "
                                "recorded (see digitdesk eval)"));
        return;
    }
    printOut(QStringLiteral("checklist        on the held-out split the trainer measured (%1 "
                            "images)")
                 .arg(figures->count));
    for (const annotation::ChecklistItem &item :
         annotation::checkRelease(*figures, annotation::ChecklistSettings::read(workspace.db()))) {
        printOut(QStringLiteral("  %1  %2: %3 (%4)")
                     .arg(item.passed ? QStringLiteral("pass") : QStringLiteral("FAIL"), item.name,
                          item.actual, item.requirement));
    }
}

int validate(const QStringList &arguments, const annotation::Principal &who)
{
    ArgumentParser parser(QStringLiteral("digitdesk models validate ID --approve|--reject "
                                         "[--comment TEXT] [--workspace DIR]"),
                          QStringLiteral("Approve or reject a model for release. Production moves "
                                         "only to a model approved by someone other than who "
                                         "trained it; a rejection needs a comment."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("approve"), QStringLiteral("Approve it for release.")});
    parser.addOption({QStringLiteral("reject"), QStringLiteral("Reject it.")});
    parser.addOption({QStringLiteral("comment"), QStringLiteral("Why (required with --reject)."),
                      QStringLiteral("TEXT")});
    if (auto exit = parser.parse(arguments, 2, 2)) {
        return *exit;
    }
    const bool approve = parser.isSet(QStringLiteral("approve"));
    if (approve == parser.isSet(QStringLiteral("reject"))) {
        return parser.usageError(QStringLiteral("give one of --approve or --reject"));
    }
    const QString comment = parser.value(QStringLiteral("comment"));
    if (!approve && comment.trimmed().isEmpty()) {
        return parser.usageError(
            QStringLiteral("--reject needs --comment TEXT: what is wrong with the model"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 id = registry.resolve(parser.positional().at(1));
    const annotation::ReleaseDecision decision =
        annotation::ReleaseSignOff(workspace->db()).decide(who, id, approve, comment);
    printOut(QStringLiteral("Model %1 %2 for release by %3.")
                 .arg(id)
                 .arg(approve ? QStringLiteral("approved") : QStringLiteral("rejected"),
                      decision.decidedBy));
    return ExitOk;
}

int importModel(const QStringList &arguments, const annotation::Principal &who)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk models import FILE.pt [--note TEXT] [--check-seconds N] "
                       "[--check-memory-mb N] [--workspace DIR]"),
        QStringLiteral("Register a TorchScript model saved from Python (torch.jit.save) that maps "
                       "float [N,1,28,28] to [N,10] logits. Its code runs first in a child "
                       "process that may write no file, within time and memory limits, on "
                       "batches of 1, 2 and 7 images; a model that answers anything but finite "
                       "[N,10] logits is refused."));
    parser.addWorkspaceOption();
    parser.addOption(
        {QStringLiteral("note"), QStringLiteral("Where it comes from."), QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("check-seconds"),
                      QStringLiteral("Time the check may take before the model is stopped "
                                     "(default 60)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("check-memory-mb"),
                      QStringLiteral("Address space the check may use, LibTorch's own included "
                                     "(default 4096)."),
                      QStringLiteral("N")});
    if (auto exit = parser.parse(arguments, 2, 2)) {
        return *exit;
    }
    annotation::ModelCheckLimits limits;
    qint64 megabytes = limits.memoryBytes >> 20;
    if (parser.isSet(QStringLiteral("check-seconds"))) {
        if (auto exit =
                parser.wholeNumber(QStringLiteral("check-seconds"), 1, 3600, &limits.seconds)) {
            return *exit;
        }
    }
    if (parser.isSet(QStringLiteral("check-memory-mb"))) {
        if (auto exit = parser.wholeNumber(QStringLiteral("check-memory-mb"), qint64{1024},
                                           qint64{1} << 20, &megabytes)) {
            return *exit;
        }
    }
    limits.memoryBytes = megabytes << 20;
    const QString file = parser.positional().at(1);
    const auto workspace = openWorkspace(parser.workspace());
    annotation::ModelRegistry registry(workspace->db(), workspace->root());
    registry.setImportCheck(annotation::ModelImportCheck({}, limits));
    annotation::ModelCheckReport report;
    const qint64 id =
        registry.importTorchScript(who, file, parser.value(QStringLiteral("note")), &report);
    if (!report.landlock) {
        printErr(QStringLiteral("digitdesk: warning: the model check ran without a write ban "
                                "(%1); it ran in an empty temporary folder with a file size "
                                "limit instead")
                     .arg(report.sandbox));
    }
    double slowest = 0;
    for (const models::ProbeRun &run : report.probe.runs) {
        slowest = std::max(slowest, run.milliseconds);
    }
    printOut(QStringLiteral("Checked %1 in a child process (%2): finite [N, 10] logits for "
                            "batches of 1, 2 and 7; loaded in %3 ms, slowest batch %4 ms.")
                 .arg(file, report.sandbox)
                 .arg(report.probe.loadMilliseconds, 0, 'f', 1)
                 .arg(slowest, 0, 'f', 1));
    printOut(QStringLiteral("Registered model %1 from %2").arg(id).arg(file));
    return ExitOk;
}

int runPinCommand(const QStringList &arguments, bool pin)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk models %1 ID [--workspace DIR]")
            .arg(pin ? QStringLiteral("pin") : QStringLiteral("unpin")),
        pin ? QStringLiteral("Have a running endpoint load this model beside production and the "
                             "candidate, at /v2/models/digits/versions/ID (up to the "
                             "serving.max_versions setting).")
            : QStringLiteral("Let the endpoint unload a pinned model."));
    parser.addWorkspaceOption();
    if (auto exit = parser.parse(arguments, 2, 2)) {
        return *exit;
    }
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 id = registry.resolve(parser.positional().at(1));
    annotation::ServingExperiment experiment(workspace->db());
    const annotation::Principal who = annotation::Principal::localOperator();
    if (pin) {
        experiment.pin(who, id);
    } else {
        experiment.unpin(who, id);
    }
    printOut(QStringLiteral("model %1 %2")
                 .arg(id)
                 .arg(pin ? QStringLiteral("pinned") : QStringLiteral("unpinned")));
    return ExitOk;
}

} // namespace

void updatePredictionsAfterChange(const storage::Workspace &workspace)
{
    try {
        const annotation::PredictionUpdate update =
            annotation::updatePredictions(workspace.db(), workspace.root());
        if (update.modelId > 0 && update.predicted > 0) {
            printOut(
                QStringLiteral(
                    "Stored the predictions of production model %1 for %2 unlabelled image(s).")
                    .arg(update.modelId)
                    .arg(update.predicted));
        }
    } catch (const annotation::ModelRefused &error) {
        printErr(QStringLiteral("digitdesk: predictions not updated: %1")
                     .arg(QString::fromUtf8(error.what())));
    }
}

int runModelsCommand(const QStringList &arguments)
{
    const QString sub = subcommandOf(
        arguments, {QStringLiteral("--workspace"), QStringLiteral("--note"),
                    QStringLiteral("--reason"), QStringLiteral("--comment"),
                    QStringLiteral("--check-seconds"), QStringLiteral("--check-memory-mb")});
    const annotation::Principal who = annotation::Principal::localOperator();
    if (sub == QStringLiteral("list") || sub == QStringLiteral("history")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk models %1 [--workspace DIR]").arg(sub),
            sub == QStringLiteral("list")
                ? QStringLiteral("List registered models.")
                : QStringLiteral("Every move of the production and candidate aliases."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 1, 1)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const annotation::ModelRegistry registry(workspace->db(), workspace->root());
        if (sub == QStringLiteral("list")) {
            const auto snapshot = registry.snapshot(who);
            const std::vector<qint64> pinned =
                annotation::ServingExperiment(workspace->db()).settings().pinned;
            for (const storage::ModelRecord &model : snapshot.models) {
                QStringList marks;
                for (const auto &[alias, target] : snapshot.aliases) {
                    if (target == model.id) {
                        marks << alias;
                    }
                }
                if (std::find(pinned.begin(), pinned.end(), model.id) != pinned.end()) {
                    marks << QStringLiteral("pinned");
                }
                printOut(summaryOf(model) +
                         (marks.isEmpty()
                              ? QString()
                              : QStringLiteral("  [%1]").arg(marks.join(QStringLiteral(", ")))));
            }
            return ExitOk;
        }
        for (const storage::AliasMove &move : registry.history()) {
            printOut(QStringLiteral("%1  %2  %3 -> %4  by %5: %6")
                         .arg(move.movedAt.toString(Qt::ISODateWithMs), move.alias)
                         .arg(move.fromModelId > 0 ? QString::number(move.fromModelId)
                                                   : QStringLiteral("none"))
                         .arg(move.toModelId)
                         .arg(move.movedBy, oneLine(move.reason)));
        }
        return ExitOk;
    }
    if (sub == QStringLiteral("show")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk models show ID|production|candidate [--workspace DIR]"),
            QStringLiteral("Everything the registry knows of a model."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 2, 2)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const annotation::ModelRegistry registry(workspace->db(), workspace->root());
        const storage::ModelRecord model =
            registry.find(registry.resolve(parser.positional().at(1)));
        printOut(QStringLiteral("model            %1").arg(model.id));
        printAliases(registry, model.id);
        printOut(QStringLiteral("architecture     %1").arg(model.architecture));
        printOut(QStringLiteral("created          %1 by %2")
                     .arg(model.createdAt.toString(Qt::ISODateWithMs), model.createdBy));
        printOut(QStringLiteral("training run     %1")
                     .arg(model.trainingRunId > 0 ? QString::number(model.trainingRunId)
                                                  : QStringLiteral("none (imported)")));
        QString version = QStringLiteral("none");
        if (!model.datasetCommit.isEmpty()) {
            version = model.datasetCommit;
            const annotation::DatasetService datasets(workspace->db(), workspace->root());
            for (const annotation::DatasetVersion &candidate : datasets.versions(who)) {
                if (candidate.commitId == model.datasetCommit) {
                    version =
                        QStringLiteral("%1 (commit %2)").arg(candidate.tag, candidate.commitId);
                    break;
                }
            }
        }
        printOut(QStringLiteral("dataset version  %1").arg(version));
        printOut(QStringLiteral("data SHA-256     %1").arg(model.sourceDigest));
        printOut(QStringLiteral("file             %1 (SHA-256 %2)")
                     .arg(registry.absolutePath(model), model.fileSha256));
        printOut(QStringLiteral("temperature      %1").arg(model.temperature, 0, 'f', 4));
        if (model.trainingRunId > 0) {
            printOut(QStringLiteral("hyperparameters  %1").arg(model.hyperparameters));
        }
        printOut(QStringLiteral("metrics          %1").arg(model.metrics));
        if (!model.note.isEmpty()) {
            printOut(QStringLiteral("note             %1").arg(model.note));
        }
        printSignOff(*workspace, model);
        return ExitOk;
    }
    if (sub == QStringLiteral("validate")) {
        return validate(arguments, who);
    }
    if (sub == QStringLiteral("import")) {
        return importModel(arguments, who);
    }
    if (sub == QStringLiteral("alias")) {
        ArgumentParser parser(
            QStringLiteral(
                "digitdesk models alias ID production|candidate --reason TEXT [--workspace DIR]"),
            QStringLiteral("Point an alias at a model. Moving production is a promotion, "
                           "moving it back a rollback; every move is kept with its reason."));
        parser.addWorkspaceOption();
        parser.addOption(
            {QStringLiteral("reason"), QStringLiteral("Why (required)."), QStringLiteral("TEXT")});
        if (auto exit = parser.parse(arguments, 3, 3)) {
            return *exit;
        }
        if (parser.value(QStringLiteral("reason")).trimmed().isEmpty()) {
            return parser.usageError(QStringLiteral("--reason TEXT is required"));
        }
        const auto workspace = openWorkspace(parser.workspace());
        annotation::ModelRegistry registry(workspace->db(), workspace->root());
        const qint64 id = registry.resolve(parser.positional().at(1));
        const QString alias = parser.positional().at(2);
        registry.moveAlias(who, alias, id, parser.value(QStringLiteral("reason")));
        printOut(QStringLiteral("%1 is now model %2").arg(alias).arg(id));
        if (alias == annotation::ProductionAlias) {
            updatePredictionsAfterChange(*workspace);
        }
        return ExitOk;
    }
    if (sub == QStringLiteral("pin") || sub == QStringLiteral("unpin")) {
        return runPinCommand(arguments, sub == QStringLiteral("pin"));
    }
    if (sub == QStringLiteral("promote") || sub == QStringLiteral("rollback")) {
        const bool promote = sub == QStringLiteral("promote");
        ArgumentParser parser(
            promote ? QStringLiteral("digitdesk models promote ID --reason TEXT [--workspace DIR]")
                    : QStringLiteral("digitdesk models rollback --reason TEXT [--workspace DIR]"),
            promote ? QStringLiteral("Make a model production; a running endpoint swaps to it. "
                                     "The move is kept with its reason.")
                    : QStringLiteral("Move production back to the model that was production "
                                     "before the current one was promoted; a second rollback "
                                     "goes back one more. The move is kept with its reason."));
        parser.addWorkspaceOption();
        parser.addOption(
            {QStringLiteral("reason"), QStringLiteral("Why (required)."), QStringLiteral("TEXT")});
        if (auto exit = parser.parse(arguments, promote ? 2 : 1, promote ? 2 : 1)) {
            return *exit;
        }
        const QString reason = parser.value(QStringLiteral("reason"));
        if (reason.trimmed().isEmpty()) {
            return parser.usageError(QStringLiteral("--reason TEXT is required"));
        }
        const auto workspace = openWorkspace(parser.workspace());
        annotation::ModelRegistry registry(workspace->db(), workspace->root());
        const std::optional<qint64> before = registry.production();
        qint64 now = 0;
        if (promote) {
            now = registry.resolve(parser.positional().at(1));
            registry.promote(who, now, reason);
        } else {
            now = registry.rollBack(who, reason);
        }
        printOut(
            QStringLiteral("production is now model %1 (was %2)")
                .arg(now)
                .arg(before ? QStringLiteral("model %1").arg(*before) : QStringLiteral("none")));
        updatePredictionsAfterChange(*workspace);
        return ExitOk;
    }
    ArgumentParser parser(
        QStringLiteral("digitdesk models "
                       "list|show|import|alias|history|validate|promote|rollback|pin|unpin ..."),
        QStringLiteral("The model registry."));
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        return parser.parse(arguments, 0, -1).value_or(ExitOk);
    }
    return parser.usageError(sub.isEmpty() ? QStringLiteral("missing subcommand")
                                           : QStringLiteral("unknown subcommand '%1'").arg(sub));
}

} // namespace digitdesk::app
