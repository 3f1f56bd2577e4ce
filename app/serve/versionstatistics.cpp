#include "app/serve/versionstatistics.h"

#include "app/serve/jsontext.h"

namespace digitdesk::app {
namespace {

int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint64_t micros(std::chrono::microseconds duration)
{
    return static_cast<uint64_t>(std::max<int64_t>(0, duration.count()));
}

// {"count":N,"ns":T}
void appendDuration(std::string &out, const char *name, uint64_t count, uint64_t microseconds)
{
    out += '"';
    out += name;
    out += "\":{\"count\":";
    json::appendNumber(out, count);
    out += ",\"ns\":";
    json::appendNumber(out, microseconds * 1000);
    out += '}';
}

} // namespace

void VersionStatistics::recordSuccess(const std::string &version, std::chrono::microseconds request,
                                      std::chrono::microseconds queued,
                                      std::chrono::microseconds computed)
{
    const int64_t at = nowMs();
    const std::lock_guard lock(m_mutex);
    VersionCounts &counts = m_counts[version];
    ++counts.success;
    counts.successMicros += micros(request);
    counts.queueMicros += micros(queued);
    counts.computeMicros += micros(computed);
    counts.lastInferenceMs = at;
}

void VersionStatistics::recordFailure(const std::string &version, FailureReason reason,
                                      std::chrono::microseconds request)
{
    const std::lock_guard lock(m_mutex);
    VersionCounts &counts = m_counts[version];
    ++counts.failures[static_cast<size_t>(reason)];
    counts.failureMicros += micros(request);
}

void VersionStatistics::recordExecution(const std::string &version, int images)
{
    const std::lock_guard lock(m_mutex);
    VersionCounts &counts = m_counts[version];
    counts.inferences += static_cast<uint64_t>(std::max(0, images));
    ++counts.executions;
}

std::map<std::string, VersionCounts> VersionStatistics::snapshot() const
{
    const std::lock_guard lock(m_mutex);
    return m_counts;
}

VersionCounts VersionStatistics::of(const std::string &version) const
{
    const std::lock_guard lock(m_mutex);
    const auto found = m_counts.find(version);
    return found == m_counts.end() ? VersionCounts{} : found->second;
}

std::string renderStatistics(const std::vector<std::pair<std::string, VersionCounts>> &versions)
{
    std::string out = "{\"model_stats\":[";
    bool first = true;
    for (const auto &[version, counts] : versions) {
        out += first ? "{" : ",{";
        first = false;
        out += "\"name\":\"digits\",\"version\":";
        json::appendString(out, version);
        out += ",\"last_inference\":";
        json::appendNumber(out, counts.lastInferenceMs);
        out += ",\"inference_count\":";
        json::appendNumber(out, counts.inferences);
        out += ",\"execution_count\":";
        json::appendNumber(out, counts.executions);
        out += ",\"inference_stats\":{";
        appendDuration(out, "success", counts.success, counts.successMicros);
        out += ',';
        appendDuration(out, "fail", counts.failed(), counts.failureMicros);
        out += ',';
        appendDuration(out, "queue", counts.success, counts.queueMicros);
        // Decoding and encoding happen outside the model's execution and are in `success`.
        out += ',';
        appendDuration(out, "compute_input", counts.success, 0);
        out += ',';
        appendDuration(out, "compute_infer", counts.success, counts.computeMicros);
        out += ',';
        appendDuration(out, "compute_output", counts.success, 0);
        out += ',';
        appendDuration(out, "cache_hit", 0, 0);
        out += ',';
        appendDuration(out, "cache_miss", 0, 0);
        out += "},\"batch_stats\":[]}";
    }
    out += "]}";
    return out;
}

} // namespace digitdesk::app
