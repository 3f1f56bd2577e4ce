#pragma once

#include "annotation/permission.h"
#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <stdexcept>

namespace digitdesk::storage {
class UserStandingReader;
}

namespace digitdesk::annotation {

class PermissionDenied : public std::runtime_error
{
public:
    PermissionDenied(const Principal &who, Action action);
    // The role allows the action but a rule refuses it here ("eve trained model 7").
    PermissionDenied(const Principal &who, Action action, const QString &reason);

protected:
    explicit PermissionDenied(const QString &message);
};

// The principal can no longer act at all: their login session was ended (by an admin, from
// another process, by the idle timeout) or the account was disabled. A window that gets this
// goes back to the login screen and shows what(); the action itself was not carried out.
class SessionEnded final : public PermissionDenied
{
public:
    explicit SessionEnded(const QString &why);
    const QString &why() const { return m_why; }

private:
    QString m_why;
};

// Who a principal is now rather than at login: the role in the database, and why they may no
// longer act ("the account was disabled", "your role changed to annotator"), empty while
// they may.
struct Standing
{
    Role role = Role::Annotator;
    QString ended;
    bool mayAct() const { return ended.isEmpty(); }
};

// The one permission check every service call goes through. A refusal is audited before it
// is thrown, so attempts show in the log even when the UI would never have offered them.
class AccessControl final
{
public:
    explicit AccessControl(const QSqlDatabase &db) : m_db(db) {}

    // Checks the action against the user's role as it is now, not as it was at login, and
    // that their session is still open (one indexed read; none for the operator). Throws
    // SessionEnded or PermissionDenied, audited.
    void require(const Principal &who, Action action, const QString &target = {}) const;
    // The same read without a verdict or an audit row, for a window that watches its user.
    Standing standing(const Principal &who) const;
    // Refuses what the role allows but a rule does not (four eyes): audited as denied with the
    // reason, then thrown as PermissionDenied. The caller must not hold a transaction that it
    // rolls back, or the refusal leaves the log with it.
    [[noreturn]] void refuse(const Principal &who, Action action, const QString &target,
                             const QString &reason) const;
    // Records a completed action in the audit log.
    void audit(const Principal &who, Action action, const QString &target,
               const QString &detail = {}) const;

private:
    void record(const Principal &who, Action action, const QString &target, const QString &outcome,
                const QString &detail) const;

    QSqlDatabase m_db;
    // Prepared on the first check, on the connection's own thread; copies share it.
    mutable std::shared_ptr<storage::UserStandingReader> m_standing;
};

} // namespace digitdesk::annotation
