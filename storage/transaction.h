#pragma once

#include <QSqlDatabase>

namespace digitdesk::storage {

// Begins with the workspace's write lock on construction (SQLite: BEGIN IMMEDIATE; PostgreSQL:
// BEGIN and an advisory lock, see Dialect::beginWrite), taken up front so that a second
// process waits for it within the busy timeout instead of failing half-way; ROLLBACK on
// destruction unless commit() succeeded, so an exception never leaves half a change behind.
class Transaction final
{
public:
    explicit Transaction(const QSqlDatabase &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    void commit();

private:
    QSqlDatabase m_db;
    bool m_open = false;
};

} // namespace digitdesk::storage
