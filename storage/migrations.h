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

// The schema as numbered migrations, storage/migrations/NNNN-name.sql. Opening a workspace applies
// the missing ones in one transaction; a database whose schema is newer than the last one known
// here is refused.
//
// On PostgreSQL, where SQLite's files 0001-0013 cannot run as they are (ids, REAL, BLOB,
// triggers), an empty database gets migrations/postgresql/0013-baseline.sql instead: the same
// schema in one file (tst_schemaparity compares the two). Versions 1 to 13 are then recorded
// with the SQLite files' descriptions, so schema_migrations reads the same on both engines, and a
// PostgreSQL database is never at a version between 1 and 12.
//
// From 14 on, one file in migrations/ serves both engines. Where a statement must differ (an id
// column, REAL, BLOB, a trigger), migrations/postgresql/ holds a file of the same name and
// description that replaces it on PostgreSQL; any other file there is refused.
class Migrations final
{
public:
    // The version PostgreSQL's baseline builds.
    static constexpr int PostgresqlBaselineVersion = 13;

    // The migrations as SQLite runs them, which are also the descriptions recorded on PostgreSQL.
    static const std::vector<Migration> &all();
    static int latestVersion();

    // The schema version recorded in the database; 0 for an empty database.
    static int currentVersion(const QSqlDatabase &db);

    // Applies every migration above the current version up to `target` (default: latest).
    // Throws WorkspaceRefused if the database is newer than this binary knows, or is a PostgreSQL
    // database at a version DigitDesk never makes there; StorageError for a PostgreSQL `target`
    // below the baseline.
    static void apply(const QSqlDatabase &db, int target = -1);
};

} // namespace digitdesk::storage
