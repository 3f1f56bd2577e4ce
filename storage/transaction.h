#pragma once

#include <QSqlDatabase>

namespace digitdesk::storage {

// Begins with the workspace's write lock on construction (SQLite: BEGIN IMMEDIATE; PostgreSQL:
// BEGIN and an advisory lock, see Dialect::beginWrite), taken up front so that a second
// process waits for it within the busy timeout instead of failing half-way; ROLLBACK on
// destruction unless commit() succeeded, so an exception never leaves half a change behind.
//
// Writes outside any Transaction run in autocommit and take no write lock: one statement, on
// its own. Each one below writes a row that no read decided on (or guards itself in its WHERE),
// so no other writer can make it wrong on either engine; a read-then-write belongs in a
// Transaction. The list, as of issue 13:
// - SessionRepository::touch from AuthService::touch (the session's last-seen time);
// - AuditLog::append from AccessControl::require/refuse/audit when the service has not begun
//   its Transaction yet (mostly refusals), and from AuthService::login/unlock refusals;
// - SettingsRepository::setValue (a key's upsert; in the services its audit row follows as a
//   second statement): InboxControl (setEnabled, setPath), RetrainingPolicy::setMinNewLabels,
//   ServingExperiment (setShare, setCanaryShare, savePinned), the CLI's `settings set` and
//   `serve` (the token's hash);
// - DataCheckRepository::start/end from DataCheckService::run (the check's own row);
// - TrainingRunRepository::saveProgress from TrainingRuns::saveProgress, and finish from
//   TrainingRuns::markStaleRuns (only over a row still 'running');
// - InboxRepository::writeStatus from InboxWatcher (the one status row, an upsert).
// A failed statement inside a PostgreSQL transaction aborts it: nothing may catch a
// StorageError and go on with the same Transaction.
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
