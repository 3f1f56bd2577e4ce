#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/databaselocation.h"
#include "storage/onlinebackup.h"
#include "storage/workspace.h"
#include "storage/workspacebackup.h"
#include "storage/workspacechecker.h"

namespace digitdesk::app {

int runWorkspaceCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    const annotation::Principal who = annotation::Principal::localOperator();

    if (sub == QStringLiteral("init")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk workspace init [--database URL] DIR"),
            QStringLiteral("Create a workspace in DIR (missing or empty). Its database is "
                           "digitdesk.sqlite in DIR, or, with --database (or DIGITDESK_DATABASE), "
                           "an empty PostgreSQL database made with `createdb --locale=C.UTF-8 "
                           "--template=template0 NAME`; scans, models and the dataset repository "
                           "stay in DIR either way. The password is read from ~/.pgpass or "
                           "PGPASSWORD, never from the URL."));
        parser.addOption(
            {QStringLiteral("database"),
             QStringLiteral("The PostgreSQL database, postgresql://USER@HOST[:PORT]/DB."),
             QStringLiteral("URL")});
        if (auto exit = parser.parse(arguments, 2, 2)) {
            return *exit;
        }
        QString database = parser.value(QStringLiteral("database"));
        if (database.isEmpty()) {
            database = storage::Workspace::databaseFromEnvironment();
        }
        const auto workspace = storage::Workspace::create(parser.positional().at(1), database);
        printOut(database.isEmpty()
                     ? QStringLiteral("Created workspace %1").arg(workspace->root())
                     : QStringLiteral("Created workspace %1 on %2")
                           .arg(workspace->root(),
                                storage::DatabaseLocation::parse(database).toString()));
        return ExitOk;
    }
    if (sub == QStringLiteral("check")) {
        ArgumentParser parser(QStringLiteral("digitdesk workspace check [--workspace DIR]"),
                              QStringLiteral("Check the database (SQLite's integrity check; a "
                                             "PostgreSQL server keeps its own data sound) and "
                                             "verify the SHA-256 of every stored scan."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 1, 1)) {
            return *exit;
        }
        // A read-only workspace (a mount of a backup, a disk remounted after errors) is the one
        // most worth checking: it is read as it is, and the check goes unrecorded.
        const auto workspace =
            storage::Workspace::openForReading(workspaceFolder(parser.workspace()));
        const annotation::AccessControl access(workspace->db());
        access.require(who, annotation::Action::CheckWorkspace, workspace->root());
        const storage::WorkspaceCheckReport report = storage::checkWorkspace(*workspace);
        for (const QString &problem : report.problems) {
            printOut(problem);
        }
        if (workspace->isReadOnly()) {
            printOut(QStringLiteral("The workspace is read-only (%1): checked as it is; this check "
                                    "is not in its audit log")
                         .arg(workspace->readOnlyReason()));
        } else {
            access.audit(who, annotation::Action::CheckWorkspace, workspace->root(),
                         QStringLiteral("%1 problem(s)").arg(report.problems.size()));
        }
        printOut(QStringLiteral("%1: %2; %3 blob(s) verified")
                     .arg(workspace->root(),
                          report.ok() ? QStringLiteral("ok")
                                      : QStringLiteral("%1 problem(s)").arg(report.problems.size()))
                     .arg(report.blobsChecked));
        return report.ok() ? ExitOk : ExitWithProblems;
    }
    if (sub == QStringLiteral("backup")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk workspace backup FOLDER [--workspace DIR]"),
            QStringLiteral("Copy the whole workspace (database, scans, model files and dataset "
                           "repository) into FOLDER (missing or empty), while other processes "
                           "keep working. The copy is a workspace: open it, or check it with "
                           "`digitdesk workspace check --workspace FOLDER`."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(arguments, 2, 2)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const annotation::AccessControl access(workspace->db());
        const QString folder = parser.positional().at(1);
        access.require(who, annotation::Action::BackupWorkspace, folder);
        const storage::WorkspaceBackupReport report = storage::backupWorkspace(*workspace, folder);
        access.audit(who, annotation::Action::BackupWorkspace, folder,
                     QStringLiteral("%1 pages, %2 scans, %3 model files, %4 dataset files")
                         .arg(report.databasePages)
                         .arg(report.blobs)
                         .arg(report.modelFiles)
                         .arg(report.datasetFiles));
        printOut(QStringLiteral("Backed up %1 to %2: database (%3 pages), %4 scan(s), %5 model "
                                "file(s), the dataset repository (%6 file(s)); %7 MB")
                     .arg(workspace->root(), folder)
                     .arg(report.databasePages)
                     .arg(report.blobs)
                     .arg(report.modelFiles)
                     .arg(report.datasetFiles)
                     .arg(static_cast<double>(report.bytes) / 1e6, 0, 'f', 1));
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
