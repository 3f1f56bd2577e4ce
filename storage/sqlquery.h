#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

namespace digitdesk::storage {

// A prepared statement whose failures throw StorageError naming the statement's purpose.
// Values are always bound, never spliced into the SQL text. The SQL runs unchanged on SQLite
// and PostgreSQL; see Dialect for the few places where it cannot.
class SqlQuery final
{
public:
    SqlQuery(const QSqlDatabase &db, const QString &sql, QString purpose);

    // Throws StorageError for a bool: PostgreSQL refuses TRUE for the 0/1 INTEGER columns
    // that stand for booleans on both engines, so callers bind `flag ? 1 : 0`.
    SqlQuery &bind(const QString &placeholder, const QVariant &value);
    SqlQuery &bindAll(std::initializer_list<std::pair<QString, QVariant>> values);
    void exec();
    // Runs an `INSERT ... RETURNING id` and gives that id; throws StorageError when no row
    // comes back. QPSQL's lastInsertId() asks for lastval(), which names the wrong row after
    // an upsert.
    qint64 insertReturningId();
    // The same for `INSERT ... ON CONFLICT DO NOTHING RETURNING id`: nullopt when the row was
    // there already and nothing was inserted.
    std::optional<qint64> insertReturningIdIfInserted();
    bool next() { return m_query.next(); }
    QVariant value(int column) const { return m_query.value(column); }
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

// Ids bound as one JSON array text ("[1,2,3]") to the placeholder of
// Dialect::idsFromJsonArray(): one statement for any number of ids, no SQL built from values.
QString idsAsJsonArray(const std::vector<qint64> &ids);

// Runs one statement with no parameters (schema, pragmas); throws on failure.
void execStatement(const QSqlDatabase &db, const QString &sql, const QString &purpose);

} // namespace digitdesk::storage
