#include "annotation/principal.h"

#include <QString>

#include <pwd.h>
#include <unistd.h>

namespace digitdesk::annotation {

Principal Principal::localOperator()
{
    // From the process's real uid, never from the environment: $USER is whatever the caller
    // says, and the operator's name decides four eyes on releases.
    const passwd *entry = ::getpwuid(::getuid());
    const QString login =
        entry ? QString::fromLocal8Bit(entry->pw_name) : QStringLiteral("uid%1").arg(::getuid());
    return {QStringLiteral("operator:") + login, Role::Admin, 0, 0};
}

} // namespace digitdesk::annotation
