#include "annotation/accesscontrol.h"

#include "storage/auditlog.h"
#include "storage/userrepository.h"

namespace digitdesk::annotation {

PermissionDenied::PermissionDenied(const Principal &who, Action action)
    : std::runtime_error(QStringLiteral("permission denied: %1 (role %2) may not %3")
                             .arg(who.name, toString(who.role),
                                  toString(action).replace(QLatin1Char('_'), QLatin1Char(' ')))
                             .toStdString())
{}

PermissionDenied::PermissionDenied(const Principal &who, Action action, const QString &reason)
    : std::runtime_error(QStringLiteral("permission denied: %1 (role %2) may not %3: %4")
                             .arg(who.name, toString(who.role),
                                  toString(action).replace(QLatin1Char('_'), QLatin1Char(' ')),
                                  reason)
                             .toStdString())
{}

PermissionDenied::PermissionDenied(const QString &message)
    : std::runtime_error(message.toStdString())
{}

SessionEnded::SessionEnded(const QString &why)
    : PermissionDenied(QStringLiteral("your session was ended: %1").arg(why)), m_why(why)
{}

namespace {

// The words for a session's end_reason (written by AuthService and UserService) as the
// person whose session it was reads them.
QString endedBecause(const QString &endReason, Role role)
{
    if (endReason == QLatin1String("account disabled")) {
        return QStringLiteral("the account was disabled");
    }
    if (endReason == QLatin1String("role changed")) {
        return QStringLiteral("your role changed to %1").arg(toString(role));
    }
    if (endReason == QLatin1String("password reset")) {
        return QStringLiteral("an admin reset your password");
    }
    if (endReason == QLatin1String("idle")) {
        return QStringLiteral("it was idle past the timeout");
    }
    if (endReason.isEmpty()) {
        return QStringLiteral("the session does not exist");
    }
    return QStringLiteral("it was closed (%1)").arg(endReason);
}

} // namespace

Standing AccessControl::standing(const Principal &who) const
{
    // The operator is whoever can write the workspace folder: there is no row to re-read.
    if (who.isOperator()) {
        return {who.role, {}};
    }
    if (!m_standing) {
        m_standing = std::make_shared<storage::UserStandingReader>(m_db);
    }
    const auto now = m_standing->read(who.userId, who.sessionId);
    if (!now) {
        return {who.role, QStringLiteral("the account no longer exists")};
    }
    Standing result{roleFromString(now->role).value_or(Role::Annotator), {}};
    if (now->disabled) {
        result.ended = QStringLiteral("the account was disabled");
    } else if (who.sessionId != 0 && !now->sessionOpen) {
        result.ended = endedBecause(now->sessionEndReason, result.role);
    }
    return result;
}

void AccessControl::require(const Principal &who, Action action, const QString &target) const
{
    const Standing now = standing(who);
    if (!now.mayAct()) {
        record(who, action, target, QStringLiteral("denied"),
               QStringLiteral("session ended: %1").arg(now.ended));
        throw SessionEnded(now.ended);
    }
    if (isAllowed(now.role, action)) {
        return;
    }
    Principal asNow = who;
    asNow.role = now.role;
    record(asNow, action, target, QStringLiteral("denied"),
           QStringLiteral("role %1").arg(toString(now.role)));
    throw PermissionDenied(asNow, action);
}

void AccessControl::refuse(const Principal &who, Action action, const QString &target,
                           const QString &reason) const
{
    record(who, action, target, QStringLiteral("denied"), reason);
    throw PermissionDenied(who, action, reason);
}

void AccessControl::audit(const Principal &who, Action action, const QString &target,
                          const QString &detail) const
{
    record(who, action, target, QStringLiteral("ok"), detail);
}

void AccessControl::record(const Principal &who, Action action, const QString &target,
                           const QString &outcome, const QString &detail) const
{
    storage::AuditLog(m_db).append(
        {{}, who.name, who.userId, who.sessionId, toString(action), target, outcome, detail});
}

} // namespace digitdesk::annotation
