#include "storage/migrations.h"

#include "storage/dialect.h"
#include "storage/sqlquery.h"
#include "storage/sqlscript.h"
#include "storage/storageerror.h"
#include "storage/timestamps.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QUrl>

namespace digitdesk::storage {
namespace {

const QString SharedFolder = QStringLiteral(":/migrations/");
const QString PostgresqlFolder = QStringLiteral(":/migrations/postgresql/");
const QString BaselineFile = QStringLiteral("0013-baseline.sql");

bool isPostgresql(const QSqlDatabase &db)
{
    return Dialect::of(db).engine() == Engine::PostgreSql;
}

// db.tables() lists a table outside the public schema under a qualified name, so on PostgreSQL
// the table is looked up the way the migrations' own statements find it: on the search path.
bool hasMigrationsTable(const QSqlDatabase &db)
{
    if (!isPostgresql(db)) {
        return db.tables().contains(QStringLiteral("schema_migrations"));
    }
    SqlQuery query(db, QStringLiteral("SELECT to_regclass('schema_migrations') IS NOT NULL"),
                   QStringLiteral("look for the schema version table"));
    query.exec();
    return query.next() && query.value(0).toBool();
}

// The database as messages name it: the SQLite file, or the PostgreSQL database in
// DatabaseLocation's URL form (which holds no password).
QString nameOf(const QSqlDatabase &db)
{
    if (!isPostgresql(db)) {
        return db.databaseName();
    }
    const auto encoded = [](const QString &text) {
        return QString::fromLatin1(QUrl::toPercentEncoding(text));
    };
    QString url = QStringLiteral("postgresql://");
    if (!db.userName().isEmpty()) {
        url += encoded(db.userName()) + QLatin1Char('@');
    }
    url += encoded(db.hostName());
    if (db.port() > 0) {
        url += QLatin1Char(':') + QString::number(db.port());
    }
    return url + QLatin1Char('/') + encoded(db.databaseName());
}

QStringList sqlFiles(const QString &folder)
{
    return QDir(folder).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
}

// storage/migrations/NNNN-name.sql, compiled in as a resource: the first line is
// "-- <description>", recorded in schema_migrations; the rest is the SQL (see sqlscript.h).
Migration readMigration(const QString &folder, const QString &fileName, int expectedVersion)
{
    static const QRegularExpression name(QStringLiteral("^(\\d{4})-[a-z0-9-]+\\.sql$"));
    const QRegularExpressionMatch match = name.match(fileName);
    if (!match.hasMatch() || match.captured(1).toInt() != expectedVersion) {
        throw StorageError(QStringLiteral("migration file %1 is not named %2-<name>.sql")
                               .arg(fileName)
                               .arg(expectedVersion, 4, 10, QLatin1Char('0')));
    }
    QFile file(folder + fileName);
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
    const QStringList files = sqlFiles(SharedFolder);
    if (files.isEmpty()) {
        throw StorageError(QStringLiteral("the migrations are missing from this DigitDesk build"));
    }
    std::vector<Migration> migrations;
    for (const QString &file : files) {
        migrations.push_back(
            readMigration(SharedFolder, file, static_cast<int>(migrations.size()) + 1));
    }
    return migrations;
}

// The baseline, then the shared migrations above it, each replaced by its PostgreSQL file if
// there is one.
std::vector<Migration> readPostgresqlMigrations()
{
    const std::vector<Migration> &shared = Migrations::all();
    const QStringList sharedFiles = sqlFiles(SharedFolder);
    const QStringList overrides = sqlFiles(PostgresqlFolder);
    for (const QString &file : overrides) {
        if (file != BaselineFile &&
            sharedFiles.indexOf(file) < Migrations::PostgresqlBaselineVersion) {
            throw StorageError(QStringLiteral("migration postgresql/%1 replaces no migration above "
                                              "the PostgreSQL baseline: a replacement has the name "
                                              "of a migration after %2")
                                   .arg(file, BaselineFile));
        }
    }
    std::vector<Migration> migrations{
        readMigration(PostgresqlFolder, BaselineFile, Migrations::PostgresqlBaselineVersion)};
    for (qsizetype i = Migrations::PostgresqlBaselineVersion; i < sharedFiles.size(); ++i) {
        const Migration &base = shared.at(static_cast<std::size_t>(i));
        if (!overrides.contains(sharedFiles.at(i))) {
            migrations.push_back(base);
            continue;
        }
        Migration replacement = readMigration(PostgresqlFolder, sharedFiles.at(i), base.version);
        if (replacement.description != base.description) {
            throw StorageError(
                QStringLiteral("migration postgresql/%1 is described as \"%2\", "
                               "where the migration it replaces says \"%3\"")
                    .arg(sharedFiles.at(i), replacement.description, base.description));
        }
        migrations.push_back(std::move(replacement));
    }
    return migrations;
}

const std::vector<Migration> &postgresqlMigrations()
{
    static const std::vector<Migration> migrations = readPostgresqlMigrations();
    return migrations;
}

void record(const QSqlDatabase &db, int version, const QString &description)
{
    SqlQuery record(db,
                    QStringLiteral("INSERT INTO schema_migrations (version, description,"
                                   " applied_at) VALUES (:version, :description, :at)"),
                    QStringLiteral("record migration %1").arg(version));
    record.bindAll({{QStringLiteral(":version"), version},
                    {QStringLiteral(":description"), description},
                    {QStringLiteral(":at"), nowDbTime()}});
    record.exec();
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
    const bool postgresql = isPostgresql(db);
    Transaction transaction(db);
    const int current = currentVersion(db);
    if (current > latestVersion()) {
        throw WorkspaceRefused(
            QStringLiteral("the workspace database %1 has schema version %2, newer than the %3 "
                           "this DigitDesk knows; open it with a newer DigitDesk")
                .arg(nameOf(db))
                .arg(current)
                .arg(latestVersion()));
    }
    if (postgresql && current > 0 && current < PostgresqlBaselineVersion) {
        throw WorkspaceRefused(
            QStringLiteral("the workspace database %1 has schema version %2, which DigitDesk "
                           "never makes on PostgreSQL (its PostgreSQL schema starts at version "
                           "%3); it was not made by DigitDesk, or changed by hand")
                .arg(nameOf(db))
                .arg(current)
                .arg(PostgresqlBaselineVersion));
    }
    if (current >= target) {
        return;
    }
    if (postgresql && target < PostgresqlBaselineVersion) {
        throw StorageError(QStringLiteral("cannot bring the database %1 to schema version %2: on "
                                          "PostgreSQL the schema starts at version %3")
                               .arg(nameOf(db))
                               .arg(target)
                               .arg(PostgresqlBaselineVersion));
    }
    if (current == 0) {
        execStatement(db,
                      QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                     " version INTEGER PRIMARY KEY,"
                                     " description TEXT NOT NULL,"
                                     " applied_at TEXT NOT NULL)"),
                      QStringLiteral("create the schema version table"));
    }
    for (const Migration &migration : postgresql ? postgresqlMigrations() : all()) {
        if (migration.version <= current || migration.version > target) {
            continue;
        }
        // Never through SqlQuery: Qt's placeholder scan would rewrite a `:name` inside a
        // PostgreSQL function body.
        for (const QString &statement : migration.statements) {
            execStatement(db, statement,
                          QStringLiteral("apply migration %1 (%2)")
                              .arg(migration.version)
                              .arg(migration.description));
        }
        if (postgresql && migration.version == PostgresqlBaselineVersion) {
            for (const Migration &built : all()) {
                if (built.version <= PostgresqlBaselineVersion) {
                    record(db, built.version, built.description);
                }
            }
        } else {
            record(db, migration.version, migration.description);
        }
    }
    transaction.commit();
}

} // namespace digitdesk::storage
