#pragma once

#include <QString>
#include <QStringList>

namespace digitdesk::storage {

class Workspace;

struct WorkspaceCheckReport
{
    QStringList problems; // each names the thing and what is wrong with it
    qint64 blobsChecked = 0;
    bool ok() const { return problems.isEmpty(); }
};

// SQLite's integrity_check and foreign_key_check, then every original scan the database names:
// present in the blob store, and its content hashing to its name.
WorkspaceCheckReport checkWorkspace(const Workspace &workspace);

} // namespace digitdesk::storage
