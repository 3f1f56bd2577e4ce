#include "storage/workspacelocations.h"

#include <QStandardPaths>

namespace digitdesk::storage {

QString defaultDemoWorkspaceFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/demo-workspace");
}

} // namespace digitdesk::storage
