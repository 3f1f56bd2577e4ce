#pragma once

#include <QString>

namespace digitdesk::storage {

// The versions of the libraries storage/ is linked with, as they run (not as they were
// built against): for Help > About and bug reports.
QString sqliteVersion();
QString libgit2Version();

// "PostgreSQL 15.4" for a workspace whose database is on a server, asked over a connection of
// its own (so call it from the thread that is to own that connection); empty for SQLite.
// Throws StorageError when the server cannot be reached.
QString databaseServerVersion(const QString &databaseLocation);

} // namespace digitdesk::storage
