#include "storage/transaction.h"

#include "storage/dialect.h"
#include "storage/sqlquery.h"

#include <QSqlQuery>

namespace digitdesk::storage {

Transaction::Transaction(const QSqlDatabase &db) : m_db(db)
{
    Dialect::of(m_db).beginWrite(m_db);
    m_open = true;
}

Transaction::~Transaction()
{
    if (m_open) {
        QSqlQuery rollback(m_db);
        rollback.exec(QStringLiteral("ROLLBACK"));
    }
}

void Transaction::commit()
{
    execStatement(m_db, QStringLiteral("COMMIT"), QStringLiteral("commit a transaction"));
    m_open = false;
}

} // namespace digitdesk::storage
