#include "storage/private/dialects.h"

#include "storage/sqlquery.h"
#include "storage/storageerror.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace digitdesk::storage::detail {
namespace {

// The one advisory lock every DigitDesk writer takes ("digitdk1" in ASCII). It is per
// database, so workspaces on one server do not wait for each other.
constexpr qint64 WorkspaceWriteLockKey = 0x6469676974646b31;
// libpq waits for an unreachable server without end unless told otherwise.
constexpr int DefaultConnectTimeoutSeconds = 10;

class PostgresqlDialect final : public Dialect
{
public:
    Engine engine() const override { return Engine::PostgreSql; }
    QString displayName() const override { return QStringLiteral("PostgreSQL"); }
    QString driver() const override { return QStringLiteral("QPSQL"); }

    void configure(QSqlDatabase &db, const DatabaseLocation &location,
                   Connection::Mode) const override
    {
        location.applyTo(db);
        QStringList options;
        if (!db.connectOptions().isEmpty()) {
            options << db.connectOptions();
        }
        if (location.option(QStringLiteral("connect_timeout")).isNull()) {
            options << QStringLiteral("connect_timeout=%1").arg(DefaultConnectTimeoutSeconds);
        }
        // pg_stat_activity then says which process holds a connection (or the write lock).
        if (location.option(QStringLiteral("application_name")).isNull()) {
            options << QStringLiteral("application_name=digitdesk:%1")
                           .arg(QCoreApplication::applicationPid());
        }
        db.setConnectOptions(options.join(QLatin1Char(';')));
    }

    void afterOpen(const QSqlDatabase &db, Connection::Mode mode) const override
    {
        // The busy timeout's counterpart: a lock (the write lock above all) not had within
        // this time fails the statement instead of waiting for ever.
        execStatement(db, QStringLiteral("SET lock_timeout = %1").arg(Connection::BusyTimeoutMs),
                      QStringLiteral("set the lock timeout"));
        if (mode == Connection::Mode::ReadOnly) {
            execStatement(db, QStringLiteral("SET default_transaction_read_only = on"),
                          QStringLiteral("make the connection read-only"));
        }
    }

    // READ COMMITTED alone lets two transactions read the same row and both write it (the plan
    // for issue 13 measured 273 of 4000 increments surviving). The advisory lock makes a
    // DigitDesk transaction what BEGIN IMMEDIATE makes it on SQLite: one writer at a time.
    void beginWrite(const QSqlDatabase &db) const override
    {
        execStatement(db, QStringLiteral("BEGIN"), QStringLiteral("begin a transaction"));
        try {
            execStatement(
                db, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(WorkspaceWriteLockKey),
                QStringLiteral("take the workspace's write lock"));
        } catch (...) {
            QSqlQuery rollback(db);
            rollback.exec(QStringLiteral("ROLLBACK"));
            throw;
        }
    }

    bool isBusy(const QSqlError &error) const override
    {
        const QString state = error.nativeErrorCode();
        return state == QStringLiteral("55P03") || state == QStringLiteral("40P01");
    }

    bool isConnectionLost(const QSqlError &error) const override
    {
        const QString state = error.nativeErrorCode();
        return error.type() == QSqlError::ConnectionError ||
               state.startsWith(QStringLiteral("08")) || state == QStringLiteral("57P01") ||
               state == QStringLiteral("57P02") || state == QStringLiteral("57P03");
    }

    QString idsFromJsonArray(const QString &placeholder) const override
    {
        return QStringLiteral(
                   "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(%1 AS JSONB))")
            .arg(placeholder);
    }

    void refreshStatistics(const QSqlDatabase &db) const override
    {
        execStatement(db, QStringLiteral("ANALYZE"),
                      QStringLiteral("refresh the planner's statistics"));
    }

    // Names, logins and dataset versions are listed in ORDER BY order, which must be the same
    // byte order on both engines; a collation of a language would also sort "Z" before "a"
    // differently from one server to the next.
    void refuseUnfitForNewWorkspace(const QSqlDatabase &db) const override
    {
        SqlQuery query(db,
                       QStringLiteral("SELECT datcollate, current_database() FROM pg_database"
                                      " WHERE datname = current_database()"),
                       QStringLiteral("read the database's collation"));
        query.exec();
        if (!query.next()) {
            throw StorageError(QStringLiteral("cannot read the collation of the database"));
        }
        const QString collation = query.value(0).toString();
        const QString name = query.value(1).toString();
        static const QStringList byteOrder = {QStringLiteral("C"), QStringLiteral("C.UTF-8"),
                                              QStringLiteral("C.utf8"), QStringLiteral("POSIX")};
        if (!byteOrder.contains(collation)) {
            throw WorkspaceRefused(
                QStringLiteral("the database %1 sorts text by the collation %2, and DigitDesk "
                               "needs byte order (C.UTF-8) so that lists sort as they do on "
                               "SQLite; make the database with `createdb --locale=C.UTF-8 "
                               "--template=template0 --owner=USER %1`")
                    .arg(name, collation));
        }
    }

    QStringList integrityChecks() const override { return {}; }
};

} // namespace

const Dialect &postgresqlDialect()
{
    static const PostgresqlDialect dialect;
    return dialect;
}

} // namespace digitdesk::storage::detail
