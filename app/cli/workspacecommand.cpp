#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/onlinebackup.h"
#include "storage/workspace.h"
#include "storage/workspacechecker.h"

namespace digitdesk::app {

int runWorkspaceCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    const annotation::Principal who = annotation::Principal::localOperator();

    if (sub == QStringLiteral("init")) {
        ArgumentParser parser(QStringLiteral("digitdesk workspace init DIR"),
                              QStringLiteral("Create a workspace in DIR (missing or empty)."));
        if (auto exit = parser.parse(arguments, 2, 2)) {
            return *exit;
        }
        const auto workspace = storage::Workspace::create(parser.positional().at(1));
        printOut(QStringLiteral("Created workspace %1").arg(workspace->root()));
        return ExitOk;
    }
    if (sub == QStringLiteral("check")) {
        ArgumentParser parser(QStringLiteral("digitdesk workspace check [--workspace DIR]"),
                              QStringLiteral("Run SQLite's integrity check and verify the SHA-256 "
                                             "of every stored scan."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 1, 1)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const annotation::AccessControl access(workspace->db());
        access.require(who, annotation::Action::CheckWorkspace, workspace->root());
        const storage::WorkspaceCheckReport report = storage::checkWorkspace(*workspace);
        for (const QString &problem : report.problems) {
            printOut(problem);
        }
        access.audit(who, annotation::Action::CheckWorkspace, workspace->root(),
                     QStringLiteral("%1 problem(s)").arg(report.problems.size()));
        printOut(QStringLiteral("%1: %2; %3 blob(s) verified")
                     .arg(workspace->root(),
                          report.ok() ? QStringLiteral("ok")
                                      : QStringLiteral("%1 problem(s)").arg(report.problems.size()))
                     .arg(report.blobsChecked));
        return report.ok() ? ExitOk : ExitWithProblems;
    }
    if (sub == QStringLiteral("backup")) {
        ArgumentParser parser(QStringLiteral("digitdesk workspace backup FILE [--workspace DIR]"),
                              QStringLiteral("Copy the workspace database to FILE with SQLite's "
                                             "online backup, while other processes keep writing."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 2, 2)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const annotation::AccessControl access(workspace->db());
        const QString file = parser.positional().at(1);
        access.require(who, annotation::Action::BackupWorkspace, file);
        const int pages = storage::backupDatabase(workspace->db(), file);
        access.audit(who, annotation::Action::BackupWorkspace, file,
                     QStringLiteral("%1 pages").arg(pages));
        printOut(QStringLiteral("Backed up %1 to %2 (%3 pages)")
                     .arg(workspace->databasePath(), file)
                     .arg(pages));
        return ExitOk;
    }
    ArgumentParser parser(QStringLiteral("digitdesk workspace init|check|backup ..."),
                          QStringLiteral("Create, check or back up a workspace."));
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        return parser.parse(arguments, 0, -1).value_or(ExitOk);
    }
    return parser.usageError(sub.isEmpty() ? QStringLiteral("missing subcommand")
                                           : QStringLiteral("unknown subcommand '%1'").arg(sub));
}

} // namespace digitdesk::app
