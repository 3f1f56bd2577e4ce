#pragma once

#include "app/serve/histogram.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace digitdesk::app {

class SloLedger;

// Why an inference request failed, with Triton's reason names.
enum class FailureReason
{
    Rejected, // the queue was full
    Backend,  // the model failed
    Other     // the request was wrong (4xx) or the endpoint unavailable
};

// The trailing window of /metrics' drift gauges.
inline constexpr std::chrono::minutes DriftWindow{15};

// Drift figures over the trailing window, recomputed by the writer thread at each flush
// (annotation::DriftMonitor over the workspace's counts, so every replica agrees).
struct DriftGauges
{
    bool computed = false;
    int64_t answers = 0;
    std::optional<double> psi;
    std::optional<double> oodShare;
    std::optional<double> lowConfidenceShare;
    double psiThreshold = 0;
    double oodShareThreshold = 0;
    bool psiExceeded = false;
    bool oodShareExceeded = false;
};

// What the endpoint counts, rendered for GET /metrics with Triton's names where one exists.
// Every method may be called from any thread.
class ServingMetrics final
{
public:
    ServingMetrics();

    // One answered inference request: its status, its latency, and how it failed if it did.
    void recordRequest(int status, std::chrono::microseconds latency);
    void recordFailure(FailureReason reason);
    void recordSuccess(std::chrono::microseconds queued, std::chrono::microseconds computed);
    void recordBatch(int images);
    // A response the HTTP layer made itself (413, 408, 400 for broken HTTP, 404...).
    void recordStatus(int status);
    void recordModelLoadFailure() { m_modelLoadFailures.fetch_add(1, std::memory_order_relaxed); }
    void recordCaptured(int stored, int dropped, int failed);
    void setDrift(const DriftGauges &drift);

    struct Live
    {
        int pending = 0;
        int connections = 0;
        std::string modelVersion; // empty: no model loaded
        std::string device;
    };
    std::string render(const Live &live, const SloLedger &ledger) const;

private:
    void renderDrift(std::string &out) const;

    std::chrono::steady_clock::time_point m_started;
    std::chrono::system_clock::time_point m_startedWall;
    std::atomic<uint64_t> m_success{0};
    std::array<std::atomic<uint64_t>, 3> m_failures{};
    std::atomic<uint64_t> m_inferences{0};
    std::atomic<uint64_t> m_executions{0};
    std::atomic<uint64_t> m_queueMicros{0};
    std::atomic<uint64_t> m_computeMicros{0};
    std::atomic<uint64_t> m_modelLoadFailures{0};
    std::atomic<uint64_t> m_captureStored{0};
    std::atomic<uint64_t> m_captureDropped{0};
    std::atomic<uint64_t> m_captureFailed{0};
    std::atomic<uint64_t> m_bad{0};
    std::array<std::atomic<uint64_t>, 600> m_statuses{};
    mutable std::mutex m_driftMutex;
    DriftGauges m_drift;
    Histogram m_latency;
    Histogram m_batchSize;
};

} // namespace digitdesk::app
