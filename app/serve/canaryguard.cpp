#include "app/serve/canaryguard.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace digitdesk::app {
namespace {

template <typename Samples> std::chrono::microseconds percentile99(const Samples &samples)
{
    std::vector<std::chrono::microseconds> latencies;
    latencies.reserve(samples.size());
    for (const auto &sample : samples) {
        latencies.push_back(sample.latency);
    }
    const size_t rank = (latencies.size() * 99 + 99) / 100 - 1; // nearest rank
    std::nth_element(latencies.begin(), latencies.begin() + static_cast<std::ptrdiff_t>(rank),
                     latencies.end());
    return latencies[rank];
}

std::string percent(double share)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", share * 100);
    return text;
}

std::string millis(std::chrono::microseconds latency)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(latency.count()) / 1000);
    return text;
}

} // namespace

bool CanaryGuard::admits(qint64 candidateId, double share)
{
    const std::lock_guard lock(m_mutex);
    if (!(share > 0)) {
        m_stoppedFor.reset();
        return false;
    }
    return m_stoppedFor != candidateId;
}

void CanaryGuard::forget(Side &side, Clock::time_point before)
{
    while (!side.samples.empty() && side.samples.front().at < before) {
        side.failures -= side.samples.front().failed ? 1 : 0;
        side.samples.pop_front();
    }
}

void CanaryGuard::record(const annotation::ExperimentSettings &rule, qint64 candidateId,
                         bool onCandidate, bool failed, std::chrono::microseconds latency,
                         Clock::time_point at)
{
    std::optional<std::string> stop;
    {
        const std::lock_guard lock(m_mutex);
        if (candidateId != m_candidateId) {
            m_candidateId = candidateId;
            m_production = {};
            m_candidate = {};
        }
        Side &side = onCandidate ? m_candidate : m_production;
        side.samples.push_back({at, latency, failed});
        side.failures += failed ? 1 : 0;
        const Clock::time_point since = at - std::chrono::seconds(rule.canaryWindowSeconds);
        forget(m_production, since);
        forget(m_candidate, since);
        if (m_stoppedFor == candidateId || !onCandidate ||
            (!failed && at - m_lastJudged < JudgeEvery)) {
            return;
        }
        m_lastJudged = at;
        stop = verdict(rule);
        if (stop) {
            m_stoppedFor = candidateId;
        }
    }
    if (stop && m_onStop) {
        m_onStop(candidateId, *stop);
    }
}

std::optional<std::string> CanaryGuard::verdict(const annotation::ExperimentSettings &rule)
{
    const auto enough = [&rule](const Side &side) {
        return static_cast<int>(side.samples.size()) >= rule.canaryMinRequests;
    };
    if (!enough(m_production) || !enough(m_candidate)) {
        return std::nullopt;
    }
    const auto rate = [](const Side &side) {
        return static_cast<double>(side.failures) / static_cast<double>(side.samples.size());
    };
    const std::string window = " over the last " + std::to_string(rule.canaryWindowSeconds) + " s";
    if (rate(m_candidate) > rate(m_production) + rule.canaryErrorMargin) {
        return "error rate " + percent(rate(m_candidate)) + " against production's " +
               percent(rate(m_production)) + window + " (margin " +
               percent(rule.canaryErrorMargin) + ")";
    }
    const auto candidate = percentile99(m_candidate.samples);
    const auto production = percentile99(m_production.samples);
    const double allowed = static_cast<double>(production.count()) * (1 + rule.canaryLatencyMargin);
    if (static_cast<double>(candidate.count()) > allowed &&
        candidate - production > MinLatencyDifference) {
        return "p99 latency " + millis(candidate) + " against production's " + millis(production) +
               window + " (margin " + percent(rule.canaryLatencyMargin) + ")";
    }
    return std::nullopt;
}

} // namespace digitdesk::app
