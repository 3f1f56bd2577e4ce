#pragma once

// serve_bench's view of the processes it measures: when a server is up, CPU time, and the
// figures of Debian's wrk as a second load generator.

#include <QString>
#include <QtGlobal>

#include <cmath>
#include <string>

namespace digitdesk::bench {

// Waits until GET `path` answers 200.
bool waitUntilUp(unsigned short port, const std::string &path, int timeoutMs);
// CPU seconds this process has used so far.
double processCpuSeconds();
// CPU seconds (user + system) another process has used so far.
double cpuSecondsOf(qint64 pid);

struct WrkFigures
{
    double rate = 0;
    double p99Ms = NAN;
};

// The same closed loop from Debian's wrk (when installed): a second, independent load
// generator for the throughput figure. One thread, like the project's own.
WrkFigures runWrk(unsigned short port, const std::string &path, const std::string &contentType,
                  const std::string &body, int connections, const QString &folder);

} // namespace digitdesk::bench
