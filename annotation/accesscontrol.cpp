#include "annotation/accesscontrol.h"

#include "storage/auditlog.h"

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

void AccessControl::require(const Principal &who, Action action, const QString &target) const
{
    if (isAllowed(who.role, action)) {
        return;
    }
    record(who, action, target, QStringLiteral("denied"),
           QStringLiteral("role %1").arg(toString(who.role)));
    throw PermissionDenied(who, action);
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
