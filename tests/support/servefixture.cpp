#include "tests/support/servefixture.h"

#include <QElapsedTimer>
#include <QRegularExpression>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace digitdesk::testing {

unsigned short freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return 0;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

void terminateChild(QProcess &process, int graceMs)
{
    if (process.state() == QProcess::NotRunning) {
        return;
    }
    process.terminate();
    if (!process.waitForFinished(graceMs)) {
        process.kill();
        process.waitForFinished();
    }
}

ServeProcess::~ServeProcess()
{
    if (m_ending == Ending::Terminate) {
        terminateChild(m_process);
    } else if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool ServeProcess::start(const QString &workspace, const QStringList &extra,
                         const QProcessEnvironment &environment)
{
    m_process.setProcessEnvironment(environment);
    m_process.setProgram(QStringLiteral(DIGITDESK_BINARY));
    m_process.setArguments(QStringList{QStringLiteral("serve"), QStringLiteral("--workspace"),
                                       workspace, QStringLiteral("--port"), QStringLiteral("0")} +
                           extra);
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 60000) {
        const QRegularExpressionMatch match = listening.match(log());
        if (match.hasMatch()) {
            port = match.captured(1).toInt();
            return true;
        }
        if (m_process.state() == QProcess::NotRunning) {
            return false;
        }
        m_process.waitForReadyRead(100);
    }
    return false;
}

QString ServeProcess::log()
{
    m_log += m_process.readAllStandardError();
    return QString::fromUtf8(m_log);
}

bool ServeProcess::waitForLog(const QString &needle, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (log().contains(needle)) {
            return true;
        }
        m_process.waitForReadyRead(50);
    }
    return log().contains(needle);
}

bool ServeProcess::waitForExit(int timeoutMs)
{
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(timeoutMs);
}

} // namespace digitdesk::testing
