#include "ui/useradministration.h"

namespace digitdesk::ui {
namespace {

class ServiceUserAdministration final : public UserAdministration
{
public:
    explicit ServiceUserAdministration(const QSqlDatabase &db) : m_service(db) {}

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
    annotation::UserService m_service;
};

} // namespace

std::unique_ptr<UserAdministration> userAdministration(const QSqlDatabase &db)
{
    return std::make_unique<ServiceUserAdministration>(db);
}

} // namespace digitdesk::ui
