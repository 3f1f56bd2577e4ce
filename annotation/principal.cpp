#include "annotation/principal.h"

#include <QtGlobal>

namespace digitdesk::annotation {

Principal Principal::localOperator()
{
    QString login = qEnvironmentVariable("USER");
    if (login.isEmpty()) {
        login = QStringLiteral("unknown");
    }
    return {QStringLiteral("operator:") + login, Role::Admin, 0, 0};
}

} // namespace digitdesk::annotation
