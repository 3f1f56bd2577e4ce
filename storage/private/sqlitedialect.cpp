#include "storage/private/dialects.h"

#include "storage/sqlquery.h"

#include <QFileInfo>
#include <QSqlError>
#include <QUrl>

namespace digitdesk::storage::detail {
namespace {

// SQLite's primary result codes SQLITE_BUSY and SQLITE_LOCKED.
constexpr int SqliteBusy = 5;
constexpr int SqliteLocked = 6;

class SqliteDialect final : public Dialect
{
public:
    Engine engine() const override { return Engine::Sqlite; }
    QString displayName() const override { return QStringLiteral("SQLite"); }
    QString driver() const override { return QStringLiteral("QSQLITE"); }

    void configure(QSqlDatabase &db, const DatabaseLocation &location,
                   Connection::Mode mode) const override
    {
        const QString path = location.filePath();
        QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(Connection::BusyTimeoutMs);
        location.applyTo(db);
        if (mode == Connection::Mode::ReadOnly) {
            options += QStringLiteral(";QSQLITE_OPEN_READONLY");
            // SQLite reads a WAL database only through its -shm index, which a read-only folder
            // cannot hold; with no -wal file beside it the database file is complete, and is
            // opened as immutable instead.
            if (!QFileInfo::exists(path + QStringLiteral("-wal"))) {
                options += QStringLiteral(";QSQLITE_OPEN_URI");
                db.setDatabaseName(QUrl::fromLocalFile(path).toString(QUrl::FullyEncoded) +
                                   QStringLiteral("?immutable=1"));
            }
        }
        db.setConnectOptions(options);
    }

    void afterOpen(const QSqlDatabase &db, Connection::Mode mode) const override
    {
        if (mode == Connection::Mode::ReadWrite) {
            execStatement(db, QStringLiteral("PRAGMA journal_mode=WAL"),
                          QStringLiteral("switch to WAL"));
        }
        execStatement(db, QStringLiteral("PRAGMA foreign_keys=ON"),
                      QStringLiteral("turn on foreign keys"));
        execStatement(db, QStringLiteral("PRAGMA synchronous=FULL"),
                      QStringLiteral("set synchronous mode"));
    }

    // IMMEDIATE takes the write lock up front, so a second process waits for it within the
    // busy timeout instead of failing half-way.
    void beginWrite(const QSqlDatabase &db) const override
    {
        execStatement(db, QStringLiteral("BEGIN IMMEDIATE"), QStringLiteral("begin a transaction"));
    }

    bool isBusy(const QSqlError &error) const override
    {
        const int code = error.nativeErrorCode().toInt() & 0xff;
        return code == SqliteBusy || code == SqliteLocked;
    }

    bool isConnectionLost(const QSqlError &) const override { return false; }

    QString idsFromJsonArray(const QString &placeholder) const override
    {
        return QStringLiteral("SELECT value FROM json_each(%1)").arg(placeholder);
    }

    void refreshStatistics(const QSqlDatabase &) const override {}

    void refuseUnfitForNewWorkspace(const QSqlDatabase &) const override {}

    QStringList integrityChecks() const override
    {
        return {QStringLiteral("PRAGMA integrity_check"),
                QStringLiteral("PRAGMA foreign_key_check")};
    }
};

} // namespace

const Dialect &sqliteDialect()
{
    static const SqliteDialect dialect;
    return dialect;
}

} // namespace digitdesk::storage::detail
