#pragma once

#include <string>

namespace digitdesk::app {

// The standard process_* metrics of Prometheus' client libraries, read from /proc/self.
struct ProcessFigures
{
    bool read = false; // false: /proc could not be read (the series are left out)
    double cpuSeconds = 0;
    double residentBytes = 0;
    double virtualBytes = 0;
    int openFds = 0;
    double maxFds = 0;
    int threads = 0;
    double startTimeSeconds = 0; // since the Unix epoch
};

ProcessFigures readProcessFigures();
void renderProcessMetrics(std::string &out, const ProcessFigures &figures);

} // namespace digitdesk::app
