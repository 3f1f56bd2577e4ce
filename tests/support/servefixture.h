#pragma once

// `digitdesk serve` as a child of an endpoint test (tst_serve, tst_drift) or a benchmark.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// A TCP port on 127.0.0.1 that was free a moment ago, for a server that must be told its port
// before it starts; 0 when none could be had.
unsigned short freePort();

// SIGTERM, then SIGKILL when the child has not ended within `graceMs`; nothing when it is not
// running.
void terminateChild(QProcess &process, int graceMs = 30000);

// `digitdesk serve --port 0` on a workspace: start() returns once it says which port it
// listens on. Its stderr is collected for the test to read.
class ServeProcess final
{
public:
    // How the destructor ends a server the test left running: killed at once, or terminated
    // so that it drains and flushes first.
    enum class Ending
    {
        Kill,
        Terminate
    };

    explicit ServeProcess(Ending ending = Ending::Kill) : m_ending(ending) {}
    ~ServeProcess();
    ServeProcess(const ServeProcess &) = delete;
    ServeProcess &operator=(const ServeProcess &) = delete;

    // `extra` options follow `serve --workspace WORKSPACE --port 0`. False when it ended, or
    // named no port within a minute.
    bool start(const QString &workspace, const QStringList &extra = {},
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    // All it has written to stderr so far.
    QString log();
    bool waitForLog(const QString &needle, int timeoutMs);

    void terminate() { m_process.terminate(); }
    bool waitForExit(int timeoutMs);
    int exitCode() const { return m_process.exitCode(); }
    qint64 pid() const { return m_process.processId(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

    int port = 0;

private:
    Ending m_ending;
    QProcess m_process;
    QByteArray m_log;
};

} // namespace digitdesk::testing
