#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <utility>

namespace digitdesk::storage {

// A prepared statement whose failures throw StorageError naming the statement's purpose.
// Values are always bound, never spliced into the SQL text.
class SqlQuery final
{
public:
    SqlQuery(const QSqlDatabase &db, const QString &sql, QString purpose);

    SqlQuery &bind(const QString &placeholder, const QVariant &value);
    SqlQuery &bindAll(std::initializer_list<std::pair<QString, QVariant>> values);
    void exec();
    bool next() { return m_query.next(); }
    QVariant value(int column) const { return m_query.value(column); }
    qint64 lastInsertId() const;
    int numRowsAffected() const { return m_query.numRowsAffected(); }
    QSqlQuery &raw() { return m_query; }

private:
    QSqlQuery m_query;
    QString m_purpose;
};

// Binding conventions shared by every repository: an id of 0 is SQL NULL (no such row); a
// null QString would bind as NULL, so text columns that mean "nothing" get '' instead.
inline QVariant idOrNull(qint64 id)
{
    return id > 0 ? QVariant(id) : QVariant();
}

inline QVariant textOrEmpty(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

// Runs one statement with no parameters (schema, pragmas); throws on failure.
void execStatement(const QSqlDatabase &db, const QString &sql, const QString &purpose);

} // namespace digitdesk::storage
