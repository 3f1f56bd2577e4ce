#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace digitdesk::app {

// Why an inference request failed, with Triton's reason names.
enum class FailureReason
{
    Rejected, // the queue was full
    Backend,  // the model failed
    Other     // the request was wrong (4xx) or the endpoint unavailable
};

// One model version's counts since the endpoint started, as Triton's statistics extension and
// its nv_inference_* metrics name them. Durations are cumulative, in microseconds.
struct VersionCounts
{
    uint64_t success = 0;
    std::array<uint64_t, 3> failures{}; // by FailureReason
    uint64_t inferences = 0;            // images
    uint64_t executions = 0;            // batches
    uint64_t successMicros = 0;         // request received to answer, successful requests
    uint64_t failureMicros = 0;
    uint64_t queueMicros = 0;
    uint64_t computeMicros = 0;
    int64_t lastInferenceMs = 0; // since the Unix epoch; 0: never
    uint64_t failed() const { return failures[0] + failures[1] + failures[2]; }
};

// Per-version counters, shared by /metrics and /v2/models/digits[/versions/N]/stats. A version
// is the registry id as text; "" holds requests refused before any model was chosen.
// Every method may be called from any thread.
class VersionStatistics final
{
public:
    void recordSuccess(const std::string &version, std::chrono::microseconds request,
                       std::chrono::microseconds queued, std::chrono::microseconds computed);
    void recordFailure(const std::string &version, FailureReason reason,
                       std::chrono::microseconds request = {});
    void recordExecution(const std::string &version, int images);

    std::map<std::string, VersionCounts> snapshot() const;
    VersionCounts of(const std::string &version) const;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, VersionCounts> m_counts;
};

// Triton's statistics extension answer for the versions given (name "digits").
std::string renderStatistics(const std::vector<std::pair<std::string, VersionCounts>> &versions);

} // namespace digitdesk::app
