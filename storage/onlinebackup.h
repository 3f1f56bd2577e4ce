#pragma once

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::storage {

// Copies the live database to `destination` with SQLite's online backup API, a few pages at a
// time, so other processes keep writing while it runs; the copy is a consistent snapshot.
// Returns the number of pages copied.
int backupDatabase(const QSqlDatabase &db, const QString &destination);

} // namespace digitdesk::storage
