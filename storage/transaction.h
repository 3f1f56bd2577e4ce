#pragma once

#include <QSqlDatabase>

namespace digitdesk::storage {

// BEGIN IMMEDIATE on construction (the write lock is taken up front, so a second process
// waits for it within the busy timeout instead of failing half-way); ROLLBACK on destruction
// unless commit() succeeded, so an exception never leaves half a change behind.
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
