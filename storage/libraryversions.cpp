#include "storage/libraryversions.h"

#include "storage/connection.h"
#include "storage/databaselocation.h"
#include "storage/sqlquery.h"

#include <git2/common.h>
#include <sqlite3.h>

namespace digitdesk::storage {

QString sqliteVersion()
{
    return QString::fromLatin1(sqlite3_libversion());
}

QString libgit2Version()
{
    int major = 0;
    int minor = 0;
    int revision = 0;
    git_libgit2_version(&major, &minor, &revision);
    return QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(revision);
}

QString databaseServerVersion(const QString &databaseLocation)
{
    if (DatabaseLocation::parse(databaseLocation).engine() != Engine::PostgreSql) {
        return {};
    }
    const Connection connection(databaseLocation, Connection::Mode::ReadOnly);
    SqlQuery query(connection.db(), QStringLiteral("SELECT current_setting('server_version')"),
                   QStringLiteral("read the server's version"));
    query.exec();
    return query.next() ? QStringLiteral("PostgreSQL %1").arg(query.value(0).toString())
                        : QString();
}

} // namespace digitdesk::storage
