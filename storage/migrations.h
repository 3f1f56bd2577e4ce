#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <vector>

namespace digitdesk::storage {

struct Migration
{
    int version;
    QString description;
    QStringList statements;
};

// The schema as numbered migrations. Opening a workspace applies the missing ones in one
// transaction; a database whose schema is newer than the last one known here is refused.
class Migrations final
{
public:
    static const std::vector<Migration> &all();
    static int latestVersion();

    // The schema version recorded in the database; 0 for an empty database.
    static int currentVersion(const QSqlDatabase &db);

    // Applies every migration above the current version up to `target` (default: latest).
    // Throws WorkspaceRefused if the database is newer than this binary knows.
    static void apply(const QSqlDatabase &db, int target = -1);
};

} // namespace digitdesk::storage
