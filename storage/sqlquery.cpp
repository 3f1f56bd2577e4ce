#include "storage/sqlquery.h"

#include "storage/storageerror.h"

#include <QSqlError>
#include <QStringList>

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
    if (value.typeId() == QMetaType::Bool) {
        throw StorageError(QStringLiteral("cannot %1: %2 is bound to a bool, which PostgreSQL "
                                          "does not take for an INTEGER column (bind 1 or 0)")
                               .arg(m_purpose, placeholder));
    }
    m_query.bindValue(placeholder, value);
    return *this;
}

SqlQuery &SqlQuery::bindAll(std::initializer_list<std::pair<QString, QVariant>> values)
{
    for (const auto &[placeholder, value] : values) {
        bind(placeholder, value);
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

qint64 SqlQuery::insertReturningId()
{
    const std::optional<qint64> id = insertReturningIdIfInserted();
    if (!id) {
        throw StorageError(
            QStringLiteral("cannot %1: the database gave no id for the new row").arg(m_purpose));
    }
    return *id;
}

std::optional<qint64> SqlQuery::insertReturningIdIfInserted()
{
    exec();
    if (!m_query.next()) {
        m_query.finish();
        return std::nullopt;
    }
    bool ok = false;
    const qint64 id = m_query.value(0).toLongLong(&ok);
    if (!ok || id <= 0) {
        throw StorageError(QStringLiteral("cannot %1: the database gave '%2' as the new row's id")
                               .arg(m_purpose, m_query.value(0).toString()));
    }
    // A kept statement (ImageRepository's) would otherwise hold its result open until reused.
    m_query.finish();
    return id;
}

QString idsAsJsonArray(const std::vector<qint64> &ids)
{
    QStringList numbers;
    numbers.reserve(static_cast<qsizetype>(ids.size()));
    for (qint64 id : ids) {
        numbers << QString::number(id);
    }
    return QLatin1Char('[') + numbers.join(QLatin1Char(',')) + QLatin1Char(']');
}

void execStatement(const QSqlDatabase &db, const QString &sql, const QString &purpose)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        throw StorageError(QStringLiteral("cannot %1: %2").arg(purpose, query.lastError().text()));
    }
}

} // namespace digitdesk::storage
