#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// A child process run to its end while its resident memory is watched.
struct MeasuredRun
{
    bool finished = false;        // it ended by itself in time, neither crashed nor killed
    int exitCode = -1;            // -1 unless finished
    qint64 peakKb = 0;            // the highest VmHWM read from /proc/<pid>/status
    bool killedForMemory = false; // its memory passed the ceiling, so it was killed
    QString out;
    QString err;
    QString describe() const; // for a failure message: how it ended, its peak and stderr
};

// Runs `program` with `arguments` and samples VmHWM (the kernel's high-water mark of its
// resident set) every few milliseconds from the event loop, never sleeping. A child that passes
// `ceilingKb` is killed at once, so a test of a memory bound fails instead of taking the
// machine's memory with it.
MeasuredRun runMeasured(const QString &program, const QStringList &arguments, qint64 ceilingKb,
                        int timeoutMs = 300000, const QProcessEnvironment &environment = {});

// The largest resident set of every child of this process that has ended (getrusage), in KB:
// it covers the last milliseconds of a child that sampling may miss.
qint64 childrenPeakKb();

// A field of /proc/<pid>/status in kB (VmRSS, VmHWM); -1 when it cannot be read.
qint64 statusKb(qint64 pid, const QByteArray &field);

} // namespace digitdesk::testing
