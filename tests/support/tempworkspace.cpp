#include "tests/support/tempworkspace.h"

namespace digitdesk::testing {

TempWorkspace::TempWorkspace() : workspace(storage::Workspace::create(folder(), database.url())) {}

} // namespace digitdesk::testing
