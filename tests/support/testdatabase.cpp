#include "tests/support/testdatabase.h"

#include "storage/connection.h"
#include "storage/databaselocation.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"

#include <QAtomicInteger>
#include <QCoreApplication>

#include <cstdio>

namespace digitdesk::testing {
namespace {

QString maintenanceUrl()
{
    return qEnvironmentVariable(TestDatabaseVariable);
}

// The maintenance URL with another database name.
QString urlFor(const QString &database)
{
    const storage::DatabaseLocation server = storage::DatabaseLocation::parse(maintenanceUrl());
    QString url = QStringLiteral("postgresql://");
    if (!server.user().isEmpty()) {
        url += server.user() + QLatin1Char('@');
    }
    url += server.host();
    if (server.port() > 0) {
        url += QLatin1Char(':') + QString::number(server.port());
    }
    return url + QLatin1Char('/') + database;
}

void runOnServer(const QString &statement, const QString &action)
{
    const storage::Connection connection(maintenanceUrl());
    storage::execStatement(connection.db(), statement, action);
}

} // namespace

TestDatabase::TestDatabase()
{
    if (!testsUsePostgresql()) {
        return;
    }
    static QAtomicInteger<int> counter;
    m_name = QStringLiteral("dd_%1_%2")
                 .arg(QCoreApplication::applicationPid())
                 .arg(counter.fetchAndAddRelaxed(1));
    runOnServer(QStringLiteral("CREATE DATABASE %1").arg(m_name),
                QStringLiteral("create the test database %1").arg(m_name));
    m_url = urlFor(m_name);
}

TestDatabase::~TestDatabase()
{
    if (m_name.isEmpty()) {
        return;
    }
    try {
        runOnServer(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name),
                    QStringLiteral("drop the test database %1").arg(m_name));
    } catch (const storage::StorageError &error) {
        std::fprintf(stderr, "%s\n", error.what());
    }
}

} // namespace digitdesk::testing
