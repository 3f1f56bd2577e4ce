#pragma once

#include <QStringList>

#include <memory>

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::app {

// `digitdesk <command> ...` without a GUI. `arguments` start with the program name. Everything
// but `digitdesk [--workspace DIR]` is for the command line, an unknown command included.
bool isCliCommand(const QStringList &arguments);
int runCli(const QStringList &arguments);

// Each command gets its own arguments ("digitdesk users add ..." -> {"users", "add", ...}).
int runWorkspaceCommand(const QStringList &arguments);
int runUsersCommand(const QStringList &arguments);
int runImportCommand(const QStringList &arguments);
int runDemoCommand(const QStringList &arguments);
int runInfoCommand(const QStringList &arguments);
int runVersionCommand(const QStringList &arguments);
int runTrainCommand(const QStringList &arguments);
int runEvalCommand(const QStringList &arguments);
int runPredictCommand(const QStringList &arguments);
int runModelsCommand(const QStringList &arguments);
int runSettingsCommand(const QStringList &arguments);
int runServeCommand(const QStringList &arguments);
int runDatasetCommand(const QStringList &arguments);
// `dataset check vN ...`, given the arguments runDatasetCommand() was given.
int runDatasetCheckCommand(const QStringList &arguments);
int runDriftCommand(const QStringList &arguments);
int runRunsCommand(const QStringList &arguments);
int runRetrainCommand(const QStringList &arguments);
// `model-check`: hidden, the sandboxed child of annotation::ModelImportCheck.
int runModelCheckCommand(const QStringList &arguments);
int runWatchCommand(const QStringList &arguments);

// After an import or a move of `production`: the production model's predictions for every
// unlabelled image. A model that cannot be used is reported; nothing else fails.
void updatePredictionsAfterChange(const storage::Workspace &workspace);

// The workspace named by --workspace, else $DIGITDESK_WORKSPACE; throws WorkspaceRefused.
QString workspaceFolder(const QString &option);
std::unique_ptr<storage::Workspace> openWorkspace(const QString &option);

} // namespace digitdesk::app
