#include "annotation/accesscontrol.h"
#include "annotation/idxfile.h"
#include "annotation/userservice.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "models/computedevice.h"
#include "storage/storageerror.h"
#include "storage/workspace.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace digitdesk::app {
namespace {

const QString Usage = QStringLiteral(
    "Usage: digitdesk [--workspace DIR]            open the GUI\n"
    "       digitdesk COMMAND [ARGS] [--help]\n"
    "\n"
    "Commands:\n"
    "  workspace init DIR [--database URL]  create a workspace (SQLite, or PostgreSQL)\n"
    "  workspace check            database check and blob digests\n"
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
    "  models list|show|import|alias|validate|promote|rollback|history|pin|unpin  the "
    "registry\n"
    "  dataset commit|log|show|diff|export|verify|push|pull|import  dataset versions (git)\n"
    "  dataset check vN [--json] [--send-to-review]  label errors, leakage, balance, drift\n"
    "  settings list|set KEY VALUE  queue shares, overlap, lease, idle timeout, serving\n"
    "  serve [--host H] [--port P]  the HTTP endpoint for the production model\n"
    "  watch [--path DIR]         import scans dropped into the inbox folder until SIGTERM\n"
    "  drift [--since 15m] [--json]  served classes, confidence and OOD share against training\n"
    "  demo convert|create|path   make the demo data and workspace; print its folder\n"
    "  info                       versions, LibTorch device and threads\n"
    "  version, --version         DigitDesk's, Qt's and LibTorch's versions\n"
    "\n"
    "Every command takes --workspace DIR (or $DIGITDESK_WORKSPACE), before or after it.\n"
    "Exit codes: 0 ok, 1 usage, 2 failed, 3 permission denied, 4 workspace refused,\n"
    "            5 done with problems reported, 6 cancelled by a signal.");

const QStringList &commandNames()
{
    static const QStringList names = {
        QStringLiteral("workspace"), QStringLiteral("users"),    QStringLiteral("import"),
        QStringLiteral("train"),     QStringLiteral("runs"),     QStringLiteral("retrain"),
        QStringLiteral("eval"),      QStringLiteral("predict"),  QStringLiteral("models"),
        QStringLiteral("dataset"),   QStringLiteral("settings"), QStringLiteral("serve"),
        QStringLiteral("drift"),     QStringLiteral("demo"),     QStringLiteral("info"),
        QStringLiteral("version"),   QStringLiteral("help"),     QStringLiteral("watch")};
    return names;
}

// The number of single-character insertions, deletions, substitutions and swaps of two
// neighbours that turn one word into the other (optimal string alignment).
qsizetype editDistance(const QString &a, const QString &b)
{
    std::vector<std::vector<qsizetype>> d(
        static_cast<size_t>(a.size() + 1),
        std::vector<qsizetype>(static_cast<size_t>(b.size() + 1)));
    const auto at = [&d](qsizetype x, qsizetype y) -> qsizetype & {
        return d[static_cast<size_t>(x)][static_cast<size_t>(y)];
    };
    for (qsizetype i = 0; i <= a.size(); ++i) {
        for (qsizetype j = 0; j <= b.size(); ++j) {
            if (i == 0 || j == 0) {
                at(i, j) = i + j;
                continue;
            }
            const qsizetype substitution = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) =
                std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return d.back().back();
}

QString nearestCommand(const QString &word)
{
    QString nearest;
    qsizetype best = std::numeric_limits<qsizetype>::max();
    const QString lower = word.toLower();
    for (const QString &name : commandNames()) {
        const qsizetype distance = editDistance(lower, name);
        if (distance < best) {
            best = distance;
            nearest = name;
        }
    }
    return nearest;
}

// Where the command is: after the global options that may come before it, as in
// `digitdesk --workspace DIR dataset log`.
qsizetype commandIndex(const QStringList &arguments)
{
    qsizetype at = 1;
    while (at < arguments.size()) {
        if (arguments[at] == QStringLiteral("--workspace") && at + 1 < arguments.size()) {
            at += 2;
        } else if (arguments[at].startsWith(QStringLiteral("--workspace="))) {
            ++at;
        } else {
            break;
        }
    }
    return at;
}

// The command first and the global options at the end, where its own parser reads them.
QStringList withCommandFirst(const QStringList &arguments)
{
    const qsizetype at = commandIndex(arguments);
    return QStringList{arguments.value(0)} + arguments.mid(at) + arguments.mid(1, at - 1);
}

int commandUsageError(const QString &word)
{
    QString reason;
    if (word == QStringLiteral("--workspace")) {
        reason = QStringLiteral("--workspace needs a folder");
    } else if (word.startsWith(QLatin1Char('-'))) {
        reason = QStringLiteral("unknown option '%1'").arg(oneLine(word));
    } else {
        reason = QStringLiteral("'%1' is not a digitdesk command; did you mean '%2'?")
                     .arg(oneLine(word), nearestCommand(word));
    }
    printErr(QStringLiteral("digitdesk: %1\nRun 'digitdesk --help' for the commands.").arg(reason));
    return ExitUsage;
}

} // namespace

bool isCliCommand(const QStringList &arguments)
{
    // Only `digitdesk [--workspace DIR]` opens the GUI; any other word is a command, a known one
    // or a usage error, never a window that a script did not ask for.
    return commandIndex(arguments) < arguments.size();
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
        if (command == QStringLiteral("model-check")) {
            return runModelCheckCommand(rest);
        }
        if (command == QStringLiteral("watch")) {
            return runWatchCommand(rest);
        }
        if (command == QStringLiteral("version") || command == QStringLiteral("--version")) {
            return runVersionCommand(rest);
        }
        if (command == QStringLiteral("help") || command == QStringLiteral("--help") ||
            command == QStringLiteral("-h")) {
            printOut(Usage);
            return ExitOk;
        }
        return commandUsageError(command);
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
