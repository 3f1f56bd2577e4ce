#include "annotation/accesscontrol.h"
#include "annotation/idxfile.h"
#include "annotation/userservice.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "models/computedevice.h"
#include "storage/storageerror.h"
#include "storage/workspace.h"

namespace digitdesk::app {
namespace {

const QString Usage = QStringLiteral(
    "Usage: digitdesk [--workspace DIR]            open the GUI\n"
    "       digitdesk COMMAND [ARGS] [--help]\n"
    "\n"
    "Commands:\n"
    "  workspace init DIR         create a workspace\n"
    "  workspace check            SQLite integrity check and blob digests\n"
    "  workspace backup FILE      online backup of the database while others write\n"
    "  users add NAME --role R    add a user (password from the terminal or stdin)\n"
    "  users list                 list users\n"
    "  users passwd NAME          set a user's password\n"
    "  users role NAME ROLE       change a user's role\n"
    "  users disable|enable NAME  stop or allow a user's logins\n"
    "  import PATH...             import scans, MNIST IDX pairs or CSV files\n"
    "  train --dataset vN         train, evaluate, calibrate and register a model\n"
    "  runs list|show             training runs: who, on what, how they ended, why\n"
    "  retrain [--if-due]         commit the approved labels and train (when the policy says)\n"
    "  eval --model ID --data IMAGES  evaluate a model beside baselines\n"
    "  eval --model A --against B --dataset vN  two models side by side, McNemar's test\n"
    "  predict --model ID FILE... predict scans with calibrated probabilities\n"
    "  models list|show|import|alias|history|promote|rollback  the model registry\n"
    "  dataset commit|log|show|diff|export|verify|push|pull|import  dataset versions (git)\n"
    "  settings list|set KEY VALUE  queue shares, overlap, lease, idle timeout, serving\n"
    "  serve [--host H] [--port P]  the HTTP endpoint for the production model\n"
    "  drift [--since 15m] [--json]  served classes, confidence and OOD share against training\n"
    "  demo convert|create|path   make the demo data and workspace; print its folder\n"
    "  info                       versions, LibTorch device and threads\n"
    "\n"
    "Every command takes --workspace DIR (or $DIGITDESK_WORKSPACE).\n"
    "Exit codes: 0 ok, 1 usage, 2 failed, 3 permission denied, 4 workspace refused,\n"
    "            5 done with problems reported, 6 cancelled by a signal.");

// Global options may come before the command ("digitdesk --workspace DIR dataset log"): they
// are moved to the end, where the command's own parser reads them.
QStringList withCommandFirst(const QStringList &arguments)
{
    QStringList global;
    qsizetype at = 1;
    while (at < arguments.size()) {
        if (arguments[at] == QStringLiteral("--workspace") && at + 1 < arguments.size()) {
            global << arguments[at] << arguments[at + 1];
            at += 2;
        } else if (arguments[at].startsWith(QStringLiteral("--workspace="))) {
            global << arguments[at++];
        } else {
            break;
        }
    }
    if (global.isEmpty() || at >= arguments.size()) {
        return arguments;
    }
    return QStringList{arguments[0]} + arguments.mid(at) + global;
}

} // namespace

bool isCliCommand(const QStringList &given)
{
    const QStringList arguments = withCommandFirst(given);
    static const QStringList commands = {
        QStringLiteral("workspace"), QStringLiteral("users"),    QStringLiteral("import"),
        QStringLiteral("demo"),      QStringLiteral("info"),     QStringLiteral("help"),
        QStringLiteral("train"),     QStringLiteral("eval"),     QStringLiteral("predict"),
        QStringLiteral("models"),    QStringLiteral("settings"), QStringLiteral("serve"),
        QStringLiteral("dataset"),   QStringLiteral("--help"),   QStringLiteral("-h"),
        QStringLiteral("runs"),      QStringLiteral("retrain"),  QStringLiteral("drift")};
    return arguments.size() > 1 && commands.contains(arguments[1]);
}

QString workspaceFolder(const QString &option)
{
    QString folder = option;
    if (folder.isEmpty()) {
        folder = qEnvironmentVariable("DIGITDESK_WORKSPACE");
    }
    if (folder.isEmpty()) {
        throw storage::WorkspaceRefused(
            QStringLiteral("no workspace given: use --workspace DIR or set DIGITDESK_WORKSPACE"));
    }
    return folder;
}

std::unique_ptr<storage::Workspace> openWorkspace(const QString &option)
{
    return storage::Workspace::open(workspaceFolder(option));
}

int runCli(const QStringList &given)
{
    const QStringList arguments = withCommandFirst(given);
    const QString command = arguments.value(1);
    const QStringList rest = arguments.mid(1);
    try {
        // LibTorch from Debian starts with one intra-op thread; use every core unless told.
        models::setIntraOpThreads(qEnvironmentVariableIntValue("DIGITDESK_THREADS"));
        if (command == QStringLiteral("workspace")) {
            return runWorkspaceCommand(rest);
        }
        if (command == QStringLiteral("users")) {
            return runUsersCommand(rest);
        }
        if (command == QStringLiteral("import")) {
            return runImportCommand(rest);
        }
        if (command == QStringLiteral("demo")) {
            return runDemoCommand(rest);
        }
        if (command == QStringLiteral("info")) {
            return runInfoCommand(rest);
        }
        if (command == QStringLiteral("train")) {
            return runTrainCommand(rest);
        }
        if (command == QStringLiteral("eval")) {
            return runEvalCommand(rest);
        }
        if (command == QStringLiteral("predict")) {
            return runPredictCommand(rest);
        }
        if (command == QStringLiteral("models")) {
            return runModelsCommand(rest);
        }
        if (command == QStringLiteral("settings")) {
            return runSettingsCommand(rest);
        }
        if (command == QStringLiteral("serve")) {
            return runServeCommand(rest);
        }
        if (command == QStringLiteral("dataset")) {
            return runDatasetCommand(rest);
        }
        if (command == QStringLiteral("drift")) {
            return runDriftCommand(rest);
        }
        if (command == QStringLiteral("runs")) {
            return runRunsCommand(rest);
        }
        if (command == QStringLiteral("retrain")) {
            return runRetrainCommand(rest);
        }
        printOut(Usage);
        return ExitOk;
    } catch (const annotation::PermissionDenied &error) {
        printErr(QStringLiteral("digitdesk: %1").arg(QString::fromUtf8(error.what())));
        return ExitPermissionDenied;
    } catch (const storage::WorkspaceRefused &error) {
        printErr(QStringLiteral("digitdesk: %1").arg(error.message()));
        return ExitWorkspaceRefused;
    } catch (const std::exception &error) {
        printErr(QStringLiteral("digitdesk: %1").arg(QString::fromUtf8(error.what())));
        return ExitFailed;
    }
}

} // namespace digitdesk::app
