#pragma once

#include "annotation/servingexperiment.h"

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace digitdesk::app {

// Watches a canary: the unversioned requests production and the candidate answered over the
// trailing window. When the candidate's error rate exceeds production's by more than the
// error margin, or its p99 latency production's by more than the latency margin (and by more
// than MinLatencyDifference, below which p99s differ by noise), the canary stops: no request
// goes to the candidate until the share is set to 0 and back, and `onStop` hears why, once.
class CanaryGuard final
{
public:
    using Clock = std::chrono::steady_clock;
    using OnStop = std::function<void(qint64 candidateId, const std::string &reason)>;
    static constexpr std::chrono::milliseconds MinLatencyDifference{5};
    static constexpr std::chrono::milliseconds JudgeEvery{200};

    explicit CanaryGuard(OnStop onStop) : m_onStop(std::move(onStop)) {}

    // Whether requests may go to this candidate now; sees the share setting, so a share set
    // to 0 re-arms the guard for the next canary.
    bool admits(qint64 candidateId, double share);
    // An unversioned inference request answered while a canary runs. `failed`: a server
    // error (the model failed), not the client's mistake.
    void record(const annotation::ExperimentSettings &rule, qint64 candidateId, bool onCandidate,
                bool failed, std::chrono::microseconds latency,
                Clock::time_point at = Clock::now());

private:
    struct Sample
    {
        Clock::time_point at;
        std::chrono::microseconds latency;
        bool failed;
    };
    struct Side
    {
        std::deque<Sample> samples;
        int failures = 0;
    };
    void forget(Side &side, Clock::time_point before);
    std::optional<std::string> verdict(const annotation::ExperimentSettings &rule);

    const OnStop m_onStop;
    std::mutex m_mutex;
    qint64 m_candidateId = 0; // the candidate the samples are about
    Side m_production;
    Side m_candidate;
    std::optional<qint64> m_stoppedFor;
    Clock::time_point m_lastJudged;
};

} // namespace digitdesk::app
