#pragma once

#include <QString>

namespace digitdesk::storage {

// `digitdesk.database` in a workspace folder whose database is on a server: the database's
// URL (never a password) and the workspace's id, which the database holds too, so that two
// folders never share one database by mistake. Two lines, `database=URL` and `id=UUID`, private
// to the folder's owner like the folder itself.
struct WorkspaceDatabaseFile
{
    static constexpr const char *FileName = "digitdesk.database";

    QString database;
    QString workspaceId;

    // Throws StorageError naming the file and what is wrong with it.
    static WorkspaceDatabaseFile read(const QString &folder);
    void write(const QString &folder) const;
};

} // namespace digitdesk::storage
