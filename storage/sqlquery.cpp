#include "storage/sqlquery.h"

#include "storage/storageerror.h"

#include <QSqlError>

namespace digitdesk::storage {

SqlQuery::SqlQuery(const QSqlDatabase &db, const QString &sql, QString purpose)
    : m_query(db), m_purpose(std::move(purpose))
{
    m_query.setForwardOnly(true);
    if (!m_query.prepare(sql)) {
        throw StorageError(QStringLiteral("cannot prepare the query to %1: %2")
                               .arg(m_purpose, m_query.lastError().text()));
    }
}

SqlQuery &SqlQuery::bind(const QString &placeholder, const QVariant &value)
{
    m_query.bindValue(placeholder, value);
    return *this;
}

SqlQuery &SqlQuery::bindAll(std::initializer_list<std::pair<QString, QVariant>> values)
{
    for (const auto &[placeholder, value] : values) {
        m_query.bindValue(placeholder, value);
    }
    return *this;
}

void SqlQuery::exec()
{
    if (!m_query.exec()) {
        throw StorageError(
            QStringLiteral("cannot %1: %2").arg(m_purpose, m_query.lastError().text()));
    }
}

qint64 SqlQuery::lastInsertId() const
{
    return m_query.lastInsertId().toLongLong();
}

void execStatement(const QSqlDatabase &db, const QString &sql, const QString &purpose)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        throw StorageError(QStringLiteral("cannot %1: %2").arg(purpose, query.lastError().text()));
    }
}

} // namespace digitdesk::storage
