#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "annotation/role.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <stdexcept>
#include <vector>

namespace digitdesk::annotation {

// A request that cannot be carried out as asked (bad name, weak password, unknown user).
class InvalidRequest final : public std::runtime_error
{
public:
    explicit InvalidRequest(const QString &message) : std::runtime_error(message.toStdString()) {}
};

struct UserSummary
{
    QString name;
    Role role = Role::Annotator;
    bool disabled = false;
    QDateTime createdAt;
    QString createdBy;
};

// Creating and changing users; every call is checked against the caller's role and audited.
class UserService final
{
public:
    static constexpr int MinPasswordLength = 8;

    explicit UserService(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    void addUser(const Principal &who, const QString &name, const QString &password, Role role);
    std::vector<UserSummary> listUsers(const Principal &who) const;
    void changePassword(const Principal &who, const QString &name, const QString &newPassword);
    void setRole(const Principal &who, const QString &name, Role role);
    void setDisabled(const Principal &who, const QString &name, bool disabled);

    static void validateName(const QString &name);
    static void validatePassword(const QString &password);

private:
    qint64 requireUserId(const QString &name) const;
    // Nobody may lock every admin out: the last active admin is never disabled or demoted.
    void refuseLosingTheLastAdmin(const QString &name) const;
    // A disabled, demoted or reset account keeps no session: its open windows lock.
    void endSessionsOf(qint64 userId, const QString &reason) const;

    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
