#pragma once

#include <QString>

namespace digitdesk::storage {

// Where `make run` puts the demo workspace and where the GUI offers it: a folder under
// QStandardPaths::AppDataLocation (~/.local/share/DigitDesk/DigitDesk/demo-workspace).
QString defaultDemoWorkspaceFolder();

} // namespace digitdesk::storage
