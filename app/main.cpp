#include "app/cli/commands.h"
#include "app/cli/exitcodes.h"
#include "models/computedevice.h"
#include "ui/appearance.h"
#include "ui/desktopsession.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFile>
#include <QIcon>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

void describeApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDesk"));
    QCoreApplication::setApplicationName(QStringLiteral("DigitDesk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DIGITDESK_VERSION));
}

[[noreturn]] void failWithoutDisplay(const QString &reason)
{
    std::fputs(qPrintable(QStringLiteral("digitdesk: cannot open the GUI: %1; run `digitdesk "
                                         "--help` for the commands that need no display\n")
                              .arg(reason)),
               stderr);
    std::_Exit(digitdesk::app::ExitFailed);
}

// Why the GUI cannot open a window here, or an empty string. Qt itself would abort with a page
// about platform plugins.
QString displayProblem()
{
    const bool x11 = !qEnvironmentVariableIsEmpty("DISPLAY");
    const bool wayland = !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
    const QString platform = qEnvironmentVariable("QT_QPA_PLATFORM");
    if (platform.isEmpty()) {
        return x11 || wayland
                   ? QString()
                   : QStringLiteral("no display (DISPLAY and WAYLAND_DISPLAY are unset)");
    }
    // "wayland;xcb" tries each in turn; "vnc:size=800x600" carries options after the colon.
    for (const QString &candidate : platform.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString name = candidate.section(QLatin1Char(':'), 0, 0).trimmed();
        if ((name == QStringLiteral("xcb") && !x11) ||
            (name.startsWith(QStringLiteral("wayland")) && !wayland)) {
            continue;
        }
        return {}; // offscreen, minimal, vnc, eglfs, linuxfb...: no display server needed
    }
    return QStringLiteral("no display for QT_QPA_PLATFORM=%1 (DISPLAY and WAYLAND_DISPLAY are "
                          "unset)")
        .arg(platform);
}

// While QApplication starts: a display that is named but cannot be reached ends in qFatal. Its
// platform plugin's warnings are held back, so what is printed is one line and exit code 2.
QtMessageHandler defaultHandler = nullptr;
QStringList heldWarnings;

void handleStartupMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtFatalMsg) {
        failWithoutDisplay(heldWarnings.isEmpty() ? message.section(QLatin1Char('\n'), 0, 0)
                                                  : heldWarnings.front());
    }
    if (QByteArray(context.category ? context.category : "").startsWith("qt.qpa")) {
        heldWarnings << message;
        return;
    }
    defaultHandler(type, context, message);
}

// The icon is an SVG: Qt draws it only with its SVG icon engine (Debian: qt6-svg-dev at build,
// libqt6svg6 at run time). Without the engine the window managers' generic icon stays.
void setWindowIcon()
{
    const QString path = QStringLiteral(":/icons/digitdesk.svg");
    if (!QFile::exists(path)) {
        return;
    }
    const QIcon icon(path);
    if (icon.isNull() || icon.pixmap(64).isNull()) {
        qWarning("digitdesk: no window icon: Qt cannot draw %s without its SVG icon engine "
                 "(Debian package libqt6svg6)",
                 qPrintable(path));
        return;
    }
    QApplication::setWindowIcon(icon);
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
    if (const QString problem = displayProblem(); !problem.isEmpty()) {
        failWithoutDisplay(problem);
    }
    defaultHandler = qInstallMessageHandler(handleStartupMessage);
    QApplication application(argc, argv);
    qInstallMessageHandler(defaultHandler);
    for (const QString &warning : std::as_const(heldWarnings)) {
        qWarning("%s", qPrintable(warning));
    }
    describeApplication();
    setWindowIcon();
    // Left alone unless chosen (View > Appearance) or forced (DIGITDESK_APPEARANCE).
    if (const auto appearance = digitdesk::ui::effectiveAppearance();
        appearance != digitdesk::ui::Appearance::FollowDesktop) {
        digitdesk::ui::applyAppearance(appearance);
    }
    digitdesk::models::setIntraOpThreads(qEnvironmentVariableIntValue("DIGITDESK_THREADS"));
    QString workspace;
    for (qsizetype at = 1; at < arguments.size(); ++at) {
        if (arguments[at] == QStringLiteral("--workspace") && at + 1 < arguments.size()) {
            workspace = arguments[++at];
        } else if (arguments[at].startsWith(QStringLiteral("--workspace="))) {
            workspace = arguments[at].section(QLatin1Char('='), 1);
        }
    }
    digitdesk::ui::DesktopSession session(workspace);
    if (!session.start()) {
        return 0;
    }
    return QApplication::exec();
}
