#include "storage/migrations.h"

#include "storage/sqlquery.h"
#include "storage/sqlscript.h"
#include "storage/storageerror.h"
#include "storage/timestamps.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace digitdesk::storage {
namespace {

bool hasMigrationsTable(const QSqlDatabase &db)
{
    SqlQuery query(db,
                   QStringLiteral("SELECT COUNT(*) FROM sqlite_master"
                                  " WHERE type = 'table' AND name = 'schema_migrations'"),
                   QStringLiteral("look for the schema version table"));
    query.exec();
    return query.next() && query.value(0).toInt() > 0;
}

// storage/migrations/NNNN-name.sql, compiled in as a resource: the first line is
// "-- <description>", recorded in schema_migrations; the rest is the SQL (see sqlscript.h).
Migration readMigration(const QString &fileName, int expectedVersion)
{
    static const QRegularExpression name(QStringLiteral("^(\\d{4})-[a-z0-9-]+\\.sql$"));
    const QRegularExpressionMatch match = name.match(fileName);
    if (!match.hasMatch() || match.captured(1).toInt() != expectedVersion) {
        throw StorageError(QStringLiteral("migration file %1 is not named %2-<name>.sql")
                               .arg(fileName)
                               .arg(expectedVersion, 4, 10, QLatin1Char('0')));
    }
    QFile file(QStringLiteral(":/migrations/") + fileName);
    if (!file.open(QIODevice::ReadOnly)) {
        throw StorageError(
            QStringLiteral("cannot read migration %1: %2").arg(fileName, file.errorString()));
    }
    const QString script = QString::fromUtf8(file.readAll());
    const QString firstLine = script.section(QLatin1Char('\n'), 0, 0);
    if (!firstLine.startsWith(QStringLiteral("-- "))) {
        throw StorageError(
            QStringLiteral("migration %1 does not start with \"-- <description>\"").arg(fileName));
    }
    return {expectedVersion, firstLine.mid(3).trimmed(), splitSqlScript(script, fileName)};
}

std::vector<Migration> readMigrations()
{
    const QStringList files = QDir(QStringLiteral(":/migrations"))
                                  .entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    if (files.isEmpty()) {
        throw StorageError(QStringLiteral("the migrations are missing from this DigitDesk build"));
    }
    std::vector<Migration> migrations;
    for (const QString &file : files) {
        migrations.push_back(readMigration(file, static_cast<int>(migrations.size()) + 1));
    }
    return migrations;
}

} // namespace

const std::vector<Migration> &Migrations::all()
{
    static const std::vector<Migration> migrations = readMigrations();
    return migrations;
}

int Migrations::latestVersion()
{
    return all().back().version;
}

int Migrations::currentVersion(const QSqlDatabase &db)
{
    if (!hasMigrationsTable(db)) {
        return 0;
    }
    SqlQuery query(db, QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"),
                   QStringLiteral("read the schema version"));
    query.exec();
    return query.next() ? query.value(0).toInt() : 0;
}

void Migrations::apply(const QSqlDatabase &db, int target)
{
    if (target < 0) {
        target = latestVersion();
    }
    Transaction transaction(db);
    const int current = currentVersion(db);
    if (current > latestVersion()) {
        throw WorkspaceRefused(
            QStringLiteral("the workspace database %1 has schema version %2, newer than the %3 "
                           "this DigitDesk knows; open it with a newer DigitDesk")
                .arg(db.databaseName())
                .arg(current)
                .arg(latestVersion()));
    }
    if (current >= target) {
        return;
    }
    if (current == 0) {
        execStatement(db,
                      QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                     " version INTEGER PRIMARY KEY,"
                                     " description TEXT NOT NULL,"
                                     " applied_at TEXT NOT NULL)"),
                      QStringLiteral("create the schema version table"));
    }
    for (const Migration &migration : all()) {
        if (migration.version <= current || migration.version > target) {
            continue;
        }
        for (const QString &statement : migration.statements) {
            execStatement(db, statement,
                          QStringLiteral("apply migration %1 (%2)")
                              .arg(migration.version)
                              .arg(migration.description));
        }
        SqlQuery record(db,
                        QStringLiteral("INSERT INTO schema_migrations (version, description,"
                                       " applied_at) VALUES (:version, :description, :at)"),
                        QStringLiteral("record migration %1").arg(migration.version));
        record.bindAll({{QStringLiteral(":version"), migration.version},
                        {QStringLiteral(":description"), migration.description},
                        {QStringLiteral(":at"), nowDbTime()}});
        record.exec();
    }
    transaction.commit();
}

} // namespace digitdesk::storage
