#pragma once

#include "annotation/principal.h"
#include "annotation/role.h"
#include "annotation/userservice.h"
#include "ui/useradministration.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

Q_DECLARE_METATYPE(std::vector<digitdesk::annotation::UserSummary>)

namespace digitdesk::ui {

// Runs the user service on its own thread (made there by the factory, with its own database
// connection), so the users view never waits for SQL. The view calls these on the worker's
// thread (QMetaObject::invokeMethod), one at a time in the order it asked. After every change
// committed it sends the users as they are now.
class UsersWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersWorker)

public:
    UsersWorker(UserAdministrationFactory factory, annotation::Principal who);
    ~UsersWorker() override;

    void list();
    void addUser(const QString &name, const QString &password, annotation::Role role);
    void setRole(const QString &name, annotation::Role role);
    void setDisabled(const QString &name, bool disabled);
    void changePassword(const QString &name, const QString &password);

Q_SIGNALS:
    void listed(const std::vector<digitdesk::annotation::UserSummary> &users);
    void listFailed(const QString &reason);
    // The change is committed; the users follow.
    void changed();
    // Nothing changed, so nothing is read again.
    void changeFailed(const QString &reason);

private:
    UserAdministration &service();
    // Runs one change; on success the users follow.
    template <typename Change> void change(Change change);

    UserAdministrationFactory m_factory;
    annotation::Principal m_who;
    std::unique_ptr<UserAdministration> m_service;
};

} // namespace digitdesk::ui
