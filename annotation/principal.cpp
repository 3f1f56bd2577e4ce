#include "annotation/principal.h"

#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

namespace digitdesk::annotation {

Principal Principal::localOperator()
{
    QString login = qEnvironmentVariable("USER");
    if (login.isEmpty()) {
        const passwd *entry = ::getpwuid(::getuid());
        login = entry ? QString::fromLocal8Bit(entry->pw_name)
                      : QStringLiteral("uid%1").arg(::getuid());
    }
    return {QStringLiteral("operator:") + login, Role::Admin, 0, 0};
}

} // namespace digitdesk::annotation
