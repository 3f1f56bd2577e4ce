#pragma once

#include "annotation/principal.h"
#include "annotation/role.h"
#include "annotation/userservice.h"

#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace digitdesk::ui {

// What the users view asks of the user service (annotation/userservice.h), called on the users
// worker's thread one request at a time. A test gives a fake; MainWindow the real one. Every call
// is checked against the caller's role by the service.
class UserAdministration
{
public:
    virtual ~UserAdministration() = default;

    virtual std::vector<annotation::UserSummary> listUsers(const annotation::Principal &who) = 0;
    virtual void addUser(const annotation::Principal &who, const QString &name,
                         const QString &password, annotation::Role role) = 0;
    virtual void setRole(const annotation::Principal &who, const QString &name,
                         annotation::Role role) = 0;
    virtual void setDisabled(const annotation::Principal &who, const QString &name,
                             bool disabled) = 0;
    virtual void changePassword(const annotation::Principal &who, const QString &name,
                                const QString &newPassword) = 0;
};

// Called on the worker's thread, where the administration is used: a database connection
// belongs to the thread that opened it.
using UserAdministrationFactory = std::function<std::unique_ptr<UserAdministration>()>;

// The user service on its own connection to the workspace's database.
UserAdministrationFactory userAdministrationFactory(const QString &databasePath);

} // namespace digitdesk::ui
