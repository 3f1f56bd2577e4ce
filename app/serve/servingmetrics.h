#pragma once

#include "app/serve/histogram.h"
#include "app/serve/versionstatistics.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace digitdesk::app {

class SloLedger;

enum class ShadowDrop
{
    QueueFull,
    CandidateFailed
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
    // `version`: the model version the request was for ("" when none was chosen).
    void recordFailure(const std::string &version, FailureReason reason,
                       std::chrono::microseconds latency = {});
    void recordSuccess(const std::string &version, std::chrono::microseconds latency,
                       std::chrono::microseconds queued, std::chrono::microseconds computed);
    void recordBatch(const std::string &version, int images);
    // A response the HTTP layer made itself (413, 408, 400 for broken HTTP, 404...).
    void recordStatus(int status);
    void recordModelLoadFailure() { m_modelLoadFailures.fetch_add(1, std::memory_order_relaxed); }
    void recordCaptured(int stored, int dropped, int failed);
    // What capture did with the images of one answer, by CaptureDecision (capturepolicy.h).
    void recordCaptureDecisions(const std::array<int, 3> &decisions);
    void setDrift(const DriftGauges &drift);
    // Images production and the candidate both answered in shadow, and how many alike.
    void recordShadow(const std::string &production, const std::string &candidate, int compared,
                      int agreed);
    // A shadow request that was not compared, and why.
    void recordShadowDropped(ShadowDrop reason)
    {
        m_shadowDropped[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    }
    void recordCanaryStop() { m_canaryStops.fetch_add(1, std::memory_order_relaxed); }

    const VersionStatistics &versions() const { return m_versions; }

    struct LoadedVersion
    {
        std::string version;
        std::string role; // production, candidate, pinned
        std::string device;
    };
    struct Live
    {
        int pending = 0;
        int connections = 0;
        std::vector<LoadedVersion> loaded; // production first; empty: no model loaded
        double canaryShare = 0;            // in effect now (0 when stopped or no candidate)
        double shadowShare = 0;
        bool captureEnabled = false; // as the watcher last read the settings
        int decoding = 0;            // requests whose body is being parsed and decoded
    };
    std::string render(const Live &live, const SloLedger &ledger) const;

private:
    void renderDrift(std::string &out) const;
    void renderVersions(std::string &out, const Live &live) const;
    void renderExperiments(std::string &out, const Live &live) const;

    std::chrono::steady_clock::time_point m_started;
    VersionStatistics m_versions;
    std::atomic<uint64_t> m_modelLoadFailures{0};
    std::atomic<uint64_t> m_captureStored{0};
    std::atomic<uint64_t> m_captureDropped{0};
    std::atomic<uint64_t> m_captureFailed{0};
    std::array<std::atomic<uint64_t>, 3> m_captureDecisions{};
    std::atomic<uint64_t> m_bad{0};
    std::array<std::atomic<uint64_t>, 600> m_statuses{};
    mutable std::mutex m_driftMutex;
    DriftGauges m_drift;
    mutable std::mutex m_shadowMutex;
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>>
        m_shadow; // (production, candidate) -> (compared, agreed)
    std::array<std::atomic<uint64_t>, 2> m_shadowDropped{};
    std::atomic<uint64_t> m_canaryStops{0};
    Histogram m_latency;
    Histogram m_batchSize;
};

} // namespace digitdesk::app
