#pragma once

#include "storage/connection.h"
#include "storage/databaselocation.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

class QSqlError;

namespace digitdesk::storage {

// What differs between the two database engines, in one small object per engine
// (storage/private/*dialect.cpp). The SQL of repositories is written once for both; where it
// cannot be, it asks the dialect of its connection.
class Dialect
{
public:
    virtual ~Dialect() = default;

    // Throws StorageError for a connection of any other driver.
    static const Dialect &of(const QSqlDatabase &db);
    static const Dialect &of(Engine engine);

    virtual Engine engine() const = 0;
    // "SQLite" or "PostgreSQL", for messages.
    virtual QString displayName() const = 0;
    // The Qt SQL driver's name.
    virtual QString driver() const = 0;

    // Sets the fields and connect options of a database that is not open yet.
    virtual void configure(QSqlDatabase &db, const DatabaseLocation &location,
                           Connection::Mode mode) const = 0;
    // Session settings, once the connection is open; throws StorageError.
    virtual void afterOpen(const QSqlDatabase &db, Connection::Mode mode) const = 0;
    // Starts a transaction that holds the workspace's single write lock until it ends, so that
    // a read followed by a write in it sees no other writer in between; throws StorageError
    // (with no transaction left open) when the lock is not had within the busy timeout.
    virtual void beginWrite(const QSqlDatabase &db) const = 0;

    // Another connection held a lock for longer than the busy timeout.
    virtual bool isBusy(const QSqlError &error) const = 0;
    // The connection is gone (server restart, network); a long-lived thread opens a new one.
    virtual bool isConnectionLost(const QSqlError &error) const = 0;

    // A subquery giving the integers of a JSON array bound as text to `placeholder`, for
    // `id IN (...)`; the same text is bound on both engines.
    virtual QString idsFromJsonArray(const QString &placeholder) const = 0;
    // After a bulk write (an import of thousands of rows): PostgreSQL plans a query from table
    // statistics, and until autovacuum's next ANALYZE it takes a just-filled table for an empty
    // one (a nested loop over 60,000 labels per image: minutes). SQLite keeps none.
    virtual void refreshStatistics(const QSqlDatabase &db) const = 0;

    // Throws WorkspaceRefused when a new workspace must not be made in this database (one that
    // sorts text other than byte by byte, as SQLite does).
    virtual void refuseUnfitForNewWorkspace(const QSqlDatabase &db) const = 0;

    // Statements that check the database file itself, each one answering with problem rows
    // ("ok" for SQLite's integrity check); none where the server keeps its own data sound.
    virtual QStringList integrityChecks() const = 0;
};

} // namespace digitdesk::storage
