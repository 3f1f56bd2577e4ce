#include "annotation/role.h"

namespace digitdesk::annotation {

QString toString(Role role)
{
    switch (role) {
    case Role::Annotator:
        return QStringLiteral("annotator");
    case Role::Reviewer:
        return QStringLiteral("reviewer");
    case Role::MlEngineer:
        return QStringLiteral("ml_engineer");
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::MlQa:
        return QStringLiteral("ml_qa");
    case Role::Manager:
        return QStringLiteral("manager");
    }
    return {};
}

std::optional<Role> roleFromString(const QString &text)
{
    for (Role role : AllRoles) {
        if (toString(role) == text) {
            return role;
        }
    }
    return std::nullopt;
}

QStringList allRoleNames()
{
    QStringList names;
    for (Role role : AllRoles) {
        names << toString(role);
    }
    return names;
}

} // namespace digitdesk::annotation
