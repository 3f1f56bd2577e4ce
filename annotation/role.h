#pragma once

#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace digitdesk::annotation {

enum class Role
{
    Annotator,
    Reviewer,
    MlEngineer,
    Admin,
    MlQa,   // validates models and signs their releases off
    Manager // sees the team's and the models' figures, sets the team's targets
};

inline constexpr std::array AllRoles = {Role::Annotator, Role::Reviewer, Role::MlEngineer,
                                        Role::Admin,     Role::MlQa,     Role::Manager};

// "annotator", "reviewer", "ml_engineer", "admin", "ml_qa", "manager"
QString toString(Role role);
std::optional<Role> roleFromString(const QString &text);
QStringList allRoleNames(); // in the order of the enum

} // namespace digitdesk::annotation
