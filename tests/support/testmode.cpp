// Linked into every test executable (digitdesk_add_test): before main() makes the application,
// QStandardPaths switches to its test locations (~/.qttest/...), so QSettings, and with it the
// key map and the last workspace, never reads or writes the settings of the person running the
// tests. Not in a support library: nothing refers to this file, so a static library would leave
// it out of the link.
#include <QStandardPaths>
#include <QtGlobal>

namespace {

void enableTestMode()
{
    QStandardPaths::setTestModeEnabled(true);
}

} // namespace

Q_CONSTRUCTOR_FUNCTION(enableTestMode)
