#include "ui/useradministration.h"

#include "storage/connection.h"

namespace digitdesk::ui {
namespace {

class DatabaseUserAdministration final : public UserAdministration
{
public:
    explicit DatabaseUserAdministration(const QString &databasePath)
        : m_connection(databasePath), m_service(m_connection.db())
    {}

    std::vector<annotation::UserSummary> listUsers(const annotation::Principal &who) override
    {
        return m_service.listUsers(who);
    }
    void addUser(const annotation::Principal &who, const QString &name, const QString &password,
                 annotation::Role role) override
    {
        m_service.addUser(who, name, password, role);
    }
    void setRole(const annotation::Principal &who, const QString &name,
                 annotation::Role role) override
    {
        m_service.setRole(who, name, role);
    }
    void setDisabled(const annotation::Principal &who, const QString &name, bool disabled) override
    {
        m_service.setDisabled(who, name, disabled);
    }
    void changePassword(const annotation::Principal &who, const QString &name,
                        const QString &newPassword) override
    {
        m_service.changePassword(who, name, newPassword);
    }

private:
    storage::Connection m_connection;
    annotation::UserService m_service;
};

} // namespace

UserAdministrationFactory userAdministrationFactory(const QString &databasePath)
{
    return [databasePath]() -> std::unique_ptr<UserAdministration> {
        return std::make_unique<DatabaseUserAdministration>(databasePath);
    };
}

} // namespace digitdesk::ui
