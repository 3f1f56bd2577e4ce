#include "tests/support/xdesktop.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTest>

namespace digitdesk::testing {
namespace {

constexpr int ScreenWidth = 1280;
constexpr int ScreenHeight = 1000;

} // namespace

XDesktop::XDesktop()
{
    for (const char *tool : {"Xvfb", "xdotool", "import"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            m_error = QStringLiteral("%1 is not installed (installer/deps-debian.sh installs it)")
                          .arg(QString::fromLatin1(tool));
            return;
        }
    }
    // -displayfd 1: the server picks a free display and writes its number on stdout.
    // -noreset: by default the server resets when its last client leaves, and refuses the next
    // application started while it does.
    m_server.setProgram(QStringLiteral("Xvfb"));
    m_server.setArguments({QStringLiteral("-displayfd"), QStringLiteral("1"),
                           QStringLiteral("-noreset"), QStringLiteral("-screen"),
                           QStringLiteral("0"),
                           QStringLiteral("%1x%2x24").arg(ScreenWidth).arg(ScreenHeight),
                           QStringLiteral("-nolisten"), QStringLiteral("tcp")});
    m_server.setProcessChannelMode(QProcess::SeparateChannels);
    m_server.start();
    QDeadlineTimer deadline(20000);
    QByteArray number;
    while (!number.contains('\n') && !deadline.hasExpired() &&
           m_server.state() != QProcess::NotRunning) {
        m_server.waitForReadyRead(200);
        number += m_server.readAllStandardOutput();
    }
    if (!number.contains('\n')) {
        m_error = QStringLiteral("Xvfb did not start: %1")
                      .arg(QString::fromLocal8Bit(m_server.readAllStandardError()));
        return;
    }
    m_display = QLatin1Char(':') + QString::fromLatin1(number.trimmed());
    // Under load a client started at once has been refused; wait until the display answers one.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DISPLAY"), m_display);
    const bool answers = QTest::qWaitFor(
        [&] {
            QProcess probe;
            probe.setProcessEnvironment(environment);
            probe.start(QStringLiteral("xdotool"), {QStringLiteral("getdisplaygeometry")});
            return probe.waitForFinished(5000) && probe.exitStatus() == QProcess::NormalExit &&
                   probe.exitCode() == 0;
        },
        20000);
    if (!answers) {
        m_error = QStringLiteral("Xvfb on %1 does not accept connections: %2")
                      .arg(m_display, QString::fromLocal8Bit(m_server.readAllStandardError()));
    }
}

XDesktop::~XDesktop()
{
    if (m_server.state() != QProcess::NotRunning) {
        m_server.terminate();
        if (!m_server.waitForFinished(5000)) {
            m_server.kill();
            m_server.waitForFinished(5000);
        }
    }
}

QProcessEnvironment XDesktop::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DISPLAY"), m_display);
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                       m_home.filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_home.path());
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    return environment;
}

QString XDesktop::xdotool(const QStringList &arguments, int timeoutMs) const
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DISPLAY"), m_display);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("xdotool"), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(1000);
        return {};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return {};
    }
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    return output.isNull() ? QStringLiteral("") : output;
}

bool XDesktop::hasWindow(const QString &titleRegex) const
{
    return !xdotool({QStringLiteral("search"), QStringLiteral("--onlyvisible"),
                     QStringLiteral("--name"), titleRegex})
                .trimmed()
                .isEmpty();
}

qulonglong XDesktop::waitForWindow(const QString &titleRegex, int timeoutMs) const
{
    qulonglong window = 0;
    const bool appeared = QTest::qWaitFor(
        [&] {
            const QStringList ids =
                xdotool({QStringLiteral("search"), QStringLiteral("--onlyvisible"),
                         QStringLiteral("--name"), titleRegex})
                    .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            window = ids.isEmpty() ? 0 : ids.last().toULongLong();
            return window != 0;
        },
        timeoutMs);
    return appeared ? window : 0;
}

bool XDesktop::focus(qulonglong window) const
{
    // No window manager runs: the pointer is parked off every window and the focus set
    // directly, so the keys go to this window and the cursor never hides a picture.
    return !xdotool({QStringLiteral("mousemove"), QString::number(ScreenWidth - 1),
                     QString::number(ScreenHeight - 1)})
                .isNull() &&
           !xdotool({QStringLiteral("windowfocus"), QString::number(window)}).isNull();
}

bool XDesktop::type(const QString &text) const
{
    return !xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("25"), text})
                .isNull();
}

bool XDesktop::keys(const QStringList &keys) const
{
    return !xdotool(QStringList{QStringLiteral("key"), QStringLiteral("--delay"),
                                QStringLiteral("60")} +
                    keys)
                .isNull();
}

QImage XDesktop::screenshot() const
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DISPLAY"), m_display);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("import"),
                  {QStringLiteral("-window"), QStringLiteral("root"), QStringLiteral("png:-")});
    if (!process.waitForFinished(20000) || process.exitCode() != 0) {
        return {};
    }
    return QImage::fromData(process.readAllStandardOutput(), "PNG");
}

QImage XDesktop::settledScreenshot(int quietMs, int timeoutMs) const
{
    QImage last = screenshot();
    QElapsedTimer unchanged;
    unchanged.start();
    // Past the timeout, the last screenshot is the best there is: the caller looks at it.
    [[maybe_unused]] const bool settled = QTest::qWaitFor(
        [&] {
            QImage next = screenshot();
            if (next != last) {
                last = std::move(next);
                unchanged.restart();
            }
            return unchanged.elapsed() >= quietMs;
        },
        timeoutMs);
    return last;
}

QImage XDesktop::changedScreenshot(const QImage &from, int timeoutMs) const
{
    QImage now = screenshot();
    [[maybe_unused]] const bool changed = QTest::qWaitFor(
        [&] {
            now = screenshot();
            return !now.isNull() && now != from;
        },
        timeoutMs);
    return now;
}

} // namespace digitdesk::testing
