#include "app/cli/commands.h"
#include "models/computedevice.h"
#include "ui/desktopsession.h"

#include <QApplication>
#include <QCoreApplication>

#include <memory>

namespace {

void describeApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDesk"));
    QCoreApplication::setApplicationName(QStringLiteral("DigitDesk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DIGITDESK_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i) {
        arguments << QString::fromLocal8Bit(argv[i]);
    }
    if (digitdesk::app::isCliCommand(arguments)) {
        QCoreApplication application(argc, argv);
        describeApplication();
        return digitdesk::app::runCli(arguments);
    }
    QApplication application(argc, argv);
    describeApplication();
    digitdesk::models::setIntraOpThreads(qEnvironmentVariableIntValue("DIGITDESK_THREADS"));
    QString workspace;
    const qsizetype at = arguments.indexOf(QStringLiteral("--workspace"));
    if (at > 0 && at + 1 < arguments.size()) {
        workspace = arguments.at(at + 1);
    }
    digitdesk::ui::DesktopSession session(workspace);
    if (!session.start()) {
        return 0;
    }
    return QApplication::exec();
}
