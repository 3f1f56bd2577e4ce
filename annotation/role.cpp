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
    }
    return {};
}

std::optional<Role> roleFromString(const QString &text)
{
    for (Role role : {Role::Annotator, Role::Reviewer, Role::MlEngineer, Role::Admin}) {
        if (toString(role) == text) {
            return role;
        }
    }
    return std::nullopt;
}

QStringList allRoleNames()
{
    return {toString(Role::Annotator), toString(Role::Reviewer), toString(Role::MlEngineer),
            toString(Role::Admin)};
}

} // namespace digitdesk::annotation
