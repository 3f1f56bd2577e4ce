#include "storage/connection.h"

#include "storage/sqlquery.h"
#include "storage/storageerror.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QSqlError>
#include <QUrl>

namespace digitdesk::storage {
namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("digitdesk-%1").arg(counter.fetchAndAddRelaxed(1));
}

} // namespace

Connection::Connection(const QString &databasePath, Mode mode)
    : m_path(databasePath), m_name(nextConnectionName())
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs);
    db.setDatabaseName(m_path);
    if (mode == Mode::ReadOnly) {
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
        // SQLite reads a WAL database only through its -shm index, which a read-only folder
        // cannot hold; with no -wal file beside it the database file is complete, and is
        // opened as immutable instead.
        if (!QFileInfo::exists(m_path + QStringLiteral("-wal"))) {
            options += QStringLiteral(";QSQLITE_OPEN_URI");
            db.setDatabaseName(QUrl::fromLocalFile(m_path).toString(QUrl::FullyEncoded) +
                               QStringLiteral("?immutable=1"));
        }
    }
    db.setConnectOptions(options);
    if (!db.open()) {
        const QString reason = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
        throw StorageError(QStringLiteral("cannot open database %1: %2").arg(m_path, reason));
    }
    try {
        if (mode == Mode::ReadWrite) {
            execStatement(db, QStringLiteral("PRAGMA journal_mode=WAL"),
                          QStringLiteral("switch to WAL"));
        }
        execStatement(db, QStringLiteral("PRAGMA foreign_keys=ON"),
                      QStringLiteral("turn on foreign keys"));
        execStatement(db, QStringLiteral("PRAGMA synchronous=FULL"),
                      QStringLiteral("set synchronous mode"));
    } catch (...) {
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
        throw;
    }
}

Connection::~Connection()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase Connection::db() const
{
    return QSqlDatabase::database(m_name, false);
}

} // namespace digitdesk::storage
