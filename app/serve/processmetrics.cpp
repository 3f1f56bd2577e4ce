#include "app/serve/processmetrics.h"

#include "app/serve/prometheustext.h"

#include "annotation/servingmetricnames.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace digitdesk::app {
namespace {

namespace names = annotation::metric;

using prometheus::Type;

// A family of one sample without labels, as every process_* series is.
void single(std::string &out, std::string_view name, Type type, const char *help, double value)
{
    prometheus::family(out, name, type, help);
    prometheus::sample(out, name, "", value);
}

// Seconds since the epoch at which the machine booted (/proc/stat's btime); 0 when unknown.
double bootTime()
{
    std::ifstream stat("/proc/stat");
    std::string key;
    double value = 0;
    while (stat >> key) {
        if (key == "btime") {
            stat >> value;
            return value;
        }
        stat.ignore(1 << 16, '\n');
    }
    return 0;
}

} // namespace

ProcessFigures readProcessFigures()
{
    ProcessFigures figures;
    std::ifstream file("/proc/self/stat");
    std::string line;
    if (!std::getline(file, line)) {
        return figures;
    }
    // The command name, in parentheses, may hold spaces: the fields start after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) {
        return figures;
    }
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> fields; // fields[0] is the state, field 3 of proc(5)
    for (std::string field; rest >> field;) {
        fields.push_back(field);
    }
    const auto field = [&fields](size_t number) { // proc(5)'s 1-based numbering
        return number >= 3 && number - 3 < fields.size() ? std::stod(fields[number - 3]) : 0.0;
    };
    if (fields.size() < 22) {
        return figures;
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    figures.cpuSeconds = (field(14) + field(15)) / ticks;
    figures.threads = static_cast<int>(field(20));
    figures.startTimeSeconds = bootTime() + field(22) / ticks;
    figures.virtualBytes = field(23);
    figures.residentBytes = field(24) * page;
    std::error_code error;
    for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
         it.increment(error)) {
        ++figures.openFds;
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        figures.maxFds = static_cast<double>(limit.rlim_cur);
    }
    figures.read = true;
    return figures;
}

void renderProcessMetrics(std::string &out, const ProcessFigures &figures)
{
    if (!figures.read) {
        return;
    }
    single(out, names::ProcessCpuSeconds, Type::Counter,
           "Total user and system CPU time spent in seconds", figures.cpuSeconds);
    single(out, names::ProcessResidentBytes, Type::Gauge, "Resident memory size in bytes",
           figures.residentBytes);
    single(out, names::ProcessVirtualBytes, Type::Gauge, "Virtual memory size in bytes",
           figures.virtualBytes);
    single(out, names::ProcessOpenFds, Type::Gauge, "Number of open file descriptors",
           figures.openFds);
    single(out, names::ProcessMaxFds, Type::Gauge, "Maximum number of open file descriptors",
           figures.maxFds);
    single(out, names::ProcessThreads, Type::Gauge, "Number of OS threads in the process",
           figures.threads);
    single(out, names::ProcessStartTime, Type::Gauge,
           "Start time of the process since the Unix epoch in seconds", figures.startTimeSeconds);
}

} // namespace digitdesk::app
