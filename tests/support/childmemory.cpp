#include "tests/support/childmemory.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <sys/resource.h>

namespace digitdesk::testing {
namespace {

qint64 highWaterMarkKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return 0;
}

} // namespace

QString MeasuredRun::describe() const
{
    const QString ending = killedForMemory ? QStringLiteral("killed for its memory")
                           : finished      ? QStringLiteral("exited with %1").arg(exitCode)
                                           : QStringLiteral("crashed or timed out");
    return QStringLiteral("%1, peak %2 MB; stderr:\n%3").arg(ending).arg(peakKb / 1024).arg(err);
}

MeasuredRun runMeasured(const QString &program, const QStringList &arguments, qint64 ceilingKb,
                        int timeoutMs, const QProcessEnvironment &environment)
{
    MeasuredRun run;
    QProcess process;
    QProcessEnvironment childEnvironment =
        environment.isEmpty() ? QProcessEnvironment::systemEnvironment() : environment;
    childEnvironment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    process.setProcessEnvironment(childEnvironment);
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer sampler;
    sampler.setInterval(2);
    QObject::connect(&sampler, &QTimer::timeout, &loop, [&] {
        run.peakKb = std::max(run.peakKb, highWaterMarkKb(process.processId()));
        if (run.peakKb > ceilingKb && process.state() == QProcess::Running) {
            run.killedForMemory = true;
            process.kill();
        }
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] { process.kill(); });
    process.start(program, arguments);
    process.closeWriteChannel();
    if (process.waitForStarted(30000)) {
        sampler.start();
        deadline.start(timeoutMs);
        if (process.state() == QProcess::Running) {
            loop.exec();
        }
        process.waitForFinished(30000); // already over unless the loop quit on an error
    }
    sampler.stop();
    run.finished = !run.killedForMemory && process.exitStatus() == QProcess::NormalExit &&
                   process.state() == QProcess::NotRunning && deadline.isActive();
    run.exitCode = run.finished ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

qint64 childrenPeakKb()
{
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss;
}

qint64 statusKb(qint64 pid, const QByteArray &field)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(field + ':')) {
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

} // namespace digitdesk::testing
