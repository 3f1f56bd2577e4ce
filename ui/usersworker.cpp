#include "ui/usersworker.h"

namespace digitdesk::ui {

UsersWorker::UsersWorker(UserAdministrationFactory factory, annotation::Principal who)
    : m_factory(std::move(factory)), m_who(std::move(who))
{
    qRegisterMetaType<std::vector<annotation::UserSummary>>();
}

UsersWorker::~UsersWorker() = default;

UserAdministration &UsersWorker::service()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_service) {
        m_service = m_factory();
    }
    return *m_service;
}

void UsersWorker::list()
{
    try {
        Q_EMIT listed(service().listUsers(m_who));
    } catch (const std::exception &error) {
        Q_EMIT listFailed(QString::fromUtf8(error.what()));
    }
}

template <typename Change> void UsersWorker::change(Change change)
{
    try {
        change(service());
    } catch (const std::exception &error) {
        Q_EMIT changeFailed(QString::fromUtf8(error.what()));
        return;
    }
    Q_EMIT changed();
    list();
}

void UsersWorker::addUser(const QString &name, const QString &password, annotation::Role role)
{
    change([&](UserAdministration &users) { users.addUser(m_who, name, password, role); });
}

void UsersWorker::setRole(const QString &name, annotation::Role role)
{
    change([&](UserAdministration &users) { users.setRole(m_who, name, role); });
}

void UsersWorker::setDisabled(const QString &name, bool disabled)
{
    change([&](UserAdministration &users) { users.setDisabled(m_who, name, disabled); });
}

void UsersWorker::changePassword(const QString &name, const QString &password)
{
    change([&](UserAdministration &users) { users.changePassword(m_who, name, password); });
}

} // namespace digitdesk::ui
