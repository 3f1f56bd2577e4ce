#include "storage/connection.h"

#include "storage/sqlquery.h"
#include "storage/storageerror.h"

#include <QAtomicInteger>
#include <QSqlError>

namespace digitdesk::storage {
namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("digitdesk-%1").arg(counter.fetchAndAddRelaxed(1));
}

} // namespace

Connection::Connection(const QString &databasePath)
    : m_path(databasePath), m_name(nextConnectionName())
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
    if (!db.open()) {
        const QString reason = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
        throw StorageError(QStringLiteral("cannot open database %1: %2").arg(m_path, reason));
    }
    try {
        execStatement(db, QStringLiteral("PRAGMA journal_mode=WAL"),
                      QStringLiteral("switch to WAL"));
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
