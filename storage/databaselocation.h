#pragma once

#include <QList>
#include <QPair>
#include <QString>

class QSqlDatabase;

namespace digitdesk::storage {

enum class Engine
{
    Sqlite,
    PostgreSql
};

// Where a workspace's database is: a file path (SQLite), or a PostgreSQL server as
//   postgresql://[USER@][HOST][:PORT]/DB[?sslmode=..&connect_timeout=..&application_name=..]
// (`postgres://` too). USER, HOST and PORT may be left out; libpq then takes PGUSER, PGHOST and
// PGPORT, or its defaults (the login name, the local Unix socket, 5432). A socket folder is
// given as a percent-encoded HOST (%2Frun%2Fpostgresql).
//
// A URL never carries a password: parse() refuses one, and the password comes from
// ~/.pgpass (or the file PGPASSFILE names) or PGPASSWORD, which libpq reads itself because
// applyTo() sets host, port, user and database as separate fields.
class DatabaseLocation final
{
public:
    // Throws StorageError naming what is wrong (never echoing a password).
    static DatabaseLocation parse(const QString &location);

    Engine engine() const { return m_engine; }
    // The file path as given, or the URL in one canonical form; never a password.
    QString toString() const;

    QString filePath() const { return m_filePath; }
    QString host() const { return m_host; }
    int port() const { return m_port; } // -1: not given
    QString user() const { return m_user; }
    QString databaseName() const { return m_databaseName; }
    // The query options in the order parse() knows them, with their values.
    const QList<QPair<QString, QString>> &options() const { return m_options; }
    QString option(const QString &name) const;

    // Sets the driver's fields; the connect options hold the URL's query options (PostgreSQL)
    // and nothing else, so a dialect appends its own after this.
    void applyTo(QSqlDatabase &db) const;

private:
    DatabaseLocation() = default;
    static DatabaseLocation parseUrl(const QString &url, qsizetype schemeLength);

    Engine m_engine = Engine::Sqlite;
    QString m_filePath;
    QString m_host;
    int m_port = -1;
    QString m_user;
    QString m_databaseName;
    QList<QPair<QString, QString>> m_options;
};

} // namespace digitdesk::storage
