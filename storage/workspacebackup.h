#pragma once

#include <QString>

namespace digitdesk::storage {

class Workspace;

struct WorkspaceBackupReport
{
    int databasePages = 0;
    int blobs = 0;
    int modelFiles = 0;
    int datasetFiles = 0;
    qint64 bytes = 0;
};

// Copies the whole workspace into `folder` (missing or empty): the database through SQLite's
// online backup (a database on a server is copied into a SQLite file, see databasecopy.h), then the
// scans, the model files and the dataset repository, while other processes keep working. The
// database is copied first: everything it names (a scan, a model file, a dataset version) was
// written before its row, so it is in the copy too. In the repository, references are copied before
// objects, which are never changed once written. The copy is a workspace: `digitdesk --workspace
// folder` opens it and `workspace check` passes on it.
WorkspaceBackupReport backupWorkspace(const Workspace &workspace, const QString &folder);

} // namespace digitdesk::storage
