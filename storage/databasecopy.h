#pragma once

#include <QString>

namespace digitdesk::storage {

// Copies every row of a workspace database on a server into a new SQLite database file at
// `destination`, which gets the same schema version through the SQLite migrations: a backup
// of a PostgreSQL workspace is then an ordinary workspace folder that any DigitDesk opens. The
// rows are read in one read-only REPEATABLE READ transaction, a consistent snapshot while other
// processes go on writing. Returns the copy's size in SQLite pages.
int copyDatabaseIntoSqlite(const QString &sourceLocation, const QString &destination);

} // namespace digitdesk::storage
