#pragma once

#include "annotation/permission.h"
#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>

#include <stdexcept>

namespace digitdesk::annotation {

class PermissionDenied final : public std::runtime_error
{
public:
    PermissionDenied(const Principal &who, Action action);
    // The role allows the action but a rule refuses it here ("eve trained model 7").
    PermissionDenied(const Principal &who, Action action, const QString &reason);
};

// The one permission check every service call goes through. A refusal is audited before it
// is thrown, so attempts show in the log even when the UI would never have offered them.
class AccessControl final
{
public:
    explicit AccessControl(const QSqlDatabase &db) : m_db(db) {}

    void require(const Principal &who, Action action, const QString &target = {}) const;
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
};

} // namespace digitdesk::annotation
