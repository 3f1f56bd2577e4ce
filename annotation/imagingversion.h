#pragma once

#include <QString>

namespace digitdesk::annotation {

// OpenCV's version as it runs in the imaging module. Loads the module when nothing has yet
// (tens of milliseconds), so the GUI asks from a worker; throws std::runtime_error when the
// module cannot be loaded.
QString opencvVersion();

} // namespace digitdesk::annotation
