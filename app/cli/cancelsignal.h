#pragma once

#include <atomic>

namespace digitdesk::app {

// SIGINT and SIGTERM set the flag instead of killing the process, so a training run stops at
// its next step and leaves nothing half-registered; a second signal kills as usual.
const std::atomic<bool> &installCancelSignals();

} // namespace digitdesk::app
