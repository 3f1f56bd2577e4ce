#include "annotation/userservice.h"

#include "annotation/passwordhasher.h"
#include "storage/sessionrepository.h"
#include "storage/transaction.h"
#include "storage/userrepository.h"

#include <QRegularExpression>

namespace digitdesk::annotation {

void UserService::validateName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!pattern.match(name).hasMatch()) {
        throw InvalidRequest(
            QStringLiteral("user name '%1' is not allowed: use 1 to 64 letters, digits, '.', '_' "
                           "or '-', starting with a letter or digit")
                .arg(name));
    }
}

void UserService::validatePassword(const QString &password)
{
    if (password.size() < MinPasswordLength) {
        throw InvalidRequest(QStringLiteral("the password is too short: at least %1 characters")
                                 .arg(MinPasswordLength));
    }
    if (password.size() > 1024) {
        throw InvalidRequest(QStringLiteral("the password is too long: at most 1024 characters"));
    }
}

qint64 UserService::requireUserId(const QString &name) const
{
    const auto user = storage::UserRepository(m_db).findByName(name);
    if (!user) {
        throw InvalidRequest(QStringLiteral("there is no user named '%1'").arg(name));
    }
    return user->id;
}

void UserService::addUser(const Principal &who, const QString &name, const QString &password,
                          Role role)
{
    m_access.require(who, Action::ManageUsers, name);
    validateName(name);
    validatePassword(password);
    storage::UserRepository users(m_db);
    if (users.findByName(name)) {
        throw InvalidRequest(QStringLiteral("a user named '%1' exists already").arg(name));
    }
    const QString hash = PasswordHasher::hash(password);
    storage::Transaction transaction(m_db);
    users.add(name, hash, toString(role), who.name);
    m_access.audit(who, Action::ManageUsers, name,
                   QStringLiteral("created with role %1").arg(toString(role)));
    transaction.commit();
}

std::vector<UserSummary> UserService::listUsers(const Principal &who) const
{
    m_access.require(who, Action::ManageUsers);
    std::vector<UserSummary> result;
    for (const storage::UserRecord &user : storage::UserRepository(m_db).list()) {
        result.push_back({user.name, roleFromString(user.role).value_or(Role::Annotator),
                          user.disabled, user.createdAt, user.createdBy});
    }
    return result;
}

void UserService::changePassword(const Principal &who, const QString &name,
                                 const QString &newPassword)
{
    const bool own = who.userId != 0 && who.name == name;
    m_access.require(who, own ? Action::ChangeOwnPassword : Action::ManageUsers, name);
    validatePassword(newPassword);
    const qint64 id = requireUserId(name);
    const QString hash = PasswordHasher::hash(newPassword);
    storage::UserRepository users(m_db);
    storage::Transaction transaction(m_db);
    users.setPasswordHash(id, hash);
    users.clearFailedLogins(id);
    if (!own) { // a reset: whoever holds the old password holds no session either
        endSessionsOf(id, QStringLiteral("password reset"));
    }
    m_access.audit(who, own ? Action::ChangeOwnPassword : Action::ManageUsers, name,
                   QStringLiteral("password changed"));
    transaction.commit();
}

void UserService::endSessionsOf(qint64 userId, const QString &reason) const
{
    storage::SessionRepository(m_db).closeAllOf(userId, reason, QDateTime::currentDateTimeUtc());
}

void UserService::refuseLosingTheLastAdmin(const QString &name) const
{
    int activeAdmins = 0;
    bool isActiveAdmin = false;
    for (const storage::UserRecord &user : storage::UserRepository(m_db).list()) {
        if (user.role == toString(Role::Admin) && !user.disabled) {
            ++activeAdmins;
            isActiveAdmin = isActiveAdmin || user.name == name;
        }
    }
    if (isActiveAdmin && activeAdmins == 1) {
        throw InvalidRequest(
            QStringLiteral("%1 is the last active admin; make another admin first").arg(name));
    }
}

void UserService::setRole(const Principal &who, const QString &name, Role role)
{
    m_access.require(who, Action::ManageUsers, name);
    const qint64 id = requireUserId(name);
    // Checked inside the transaction: two admins demoting each other at once cannot both pass.
    storage::Transaction transaction(m_db);
    if (role != Role::Admin) {
        refuseLosingTheLastAdmin(name);
    }
    storage::UserRepository(m_db).setRole(id, toString(role));
    endSessionsOf(id, QStringLiteral("role changed"));
    m_access.audit(who, Action::ManageUsers, name,
                   QStringLiteral("role set to %1").arg(toString(role)));
    transaction.commit();
}

void UserService::setDisabled(const Principal &who, const QString &name, bool disabled)
{
    m_access.require(who, Action::ManageUsers, name);
    const qint64 id = requireUserId(name);
    storage::Transaction transaction(m_db);
    if (disabled) {
        refuseLosingTheLastAdmin(name);
        endSessionsOf(id, QStringLiteral("account disabled"));
    }
    storage::UserRepository(m_db).setDisabled(id, disabled);
    m_access.audit(who, Action::ManageUsers, name,
                   disabled ? QStringLiteral("disabled") : QStringLiteral("enabled"));
    transaction.commit();
}

} // namespace digitdesk::annotation
