#include "storage/dialect.h"

#include "storage/private/dialects.h"
#include "storage/storageerror.h"

namespace digitdesk::storage {

const Dialect &Dialect::of(const QSqlDatabase &db)
{
    const QString driver = db.driverName();
    for (const Dialect *dialect : {&detail::sqliteDialect(), &detail::postgresqlDialect()}) {
        if (dialect->driver() == driver) {
            return *dialect;
        }
    }
    throw StorageError(QStringLiteral("the database connection %1 uses the driver %2, which "
                                      "DigitDesk has no dialect for (QSQLITE or QPSQL)")
                           .arg(db.connectionName(), driver));
}

const Dialect &Dialect::of(Engine engine)
{
    return engine == Engine::PostgreSql ? detail::postgresqlDialect() : detail::sqliteDialect();
}

} // namespace digitdesk::storage
