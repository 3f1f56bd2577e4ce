#pragma once

#include <string>

namespace digitdesk::app {

// Tells systemd (Type=notify) how the service is doing, through $NOTIFY_SOCKET; does nothing
// when the process was not started by systemd.
void notifySystemd(const std::string &state);

} // namespace digitdesk::app
