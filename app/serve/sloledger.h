#pragma once

#include "annotation/servingmetricnames.h"
#include "storage/servingminuterepository.h"

#include <chrono>
#include <map>
#include <mutex>
#include <vector>

namespace digitdesk::app {

// Requests and bad requests per minute over the last 30 days, for availability, error budget
// and burn rates. Starts from the workspace's history; what it records since is handed to
// the writer thread to be added to that history.
class SloLedger final
{
public:
    using Clock = std::chrono::system_clock;
    static constexpr std::chrono::seconds LatencyObjective = annotation::slo::LatencyObjective;
    static constexpr std::chrono::minutes Horizon = annotation::slo::Horizon;

    struct Window
    {
        qint64 requests = 0;
        qint64 bad = 0;
    };

    void load(const std::vector<storage::ServingMinute> &history);
    void record(bool bad, Clock::time_point at = Clock::now());
    // The minutes that overlap the last `span` (the current minute included).
    Window window(std::chrono::minutes span, Clock::time_point at = Clock::now()) const;
    // What was recorded since the last call, to be persisted.
    std::vector<storage::ServingMinute> takeUnsaved();
    // Gives back what could not be persisted, for the next attempt.
    void restoreUnsaved(const std::vector<storage::ServingMinute> &minutes);

    static qint64 minuteOf(Clock::time_point at);

private:
    mutable std::mutex m_mutex;
    std::map<qint64, storage::ServingMinute> m_minutes;
    std::map<qint64, storage::ServingMinute> m_unsaved;
};

} // namespace digitdesk::app
