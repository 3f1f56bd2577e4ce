#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace digitdesk::annotation {

enum class Role
{
    Annotator,
    Reviewer,
    MlEngineer,
    Admin
};

QString toString(Role role); // "annotator", "reviewer", "ml_engineer", "admin"
std::optional<Role> roleFromString(const QString &text);
QStringList allRoleNames();

} // namespace digitdesk::annotation
