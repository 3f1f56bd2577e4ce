#include "storage/connection.h"

#include "storage/databaselocation.h"
#include "storage/dialect.h"
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

Connection::Connection(const QString &location, Mode mode)
    : m_path(location), m_name(nextConnectionName())
{
    const DatabaseLocation parsed = DatabaseLocation::parse(location);
    const Dialect &dialect = Dialect::of(parsed.engine());
    QSqlDatabase db = QSqlDatabase::addDatabase(dialect.driver(), m_name);
    const auto fail = [&](const QString &reason) {
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
        throw StorageError(
            QStringLiteral("cannot open database %1: %2").arg(parsed.toString(), reason));
    };
    if (!db.isValid()) {
        fail(QStringLiteral("Qt's %1 driver is not installed (Debian: %2)")
                 .arg(dialect.driver(), parsed.engine() == Engine::PostgreSql
                                            ? QStringLiteral("libqt6sql6-psql")
                                            : QStringLiteral("libqt6sql6-sqlite")));
    }
    dialect.configure(db, parsed, mode);
    if (!db.open()) {
        fail(db.lastError().text());
    }
    try {
        dialect.afterOpen(db, mode);
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
