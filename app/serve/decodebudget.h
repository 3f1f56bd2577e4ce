#pragma once

#include <QtGlobal>

#include <chrono>
#include <mutex>

namespace digitdesk::app {

// The pixels /v1/predict may decode per second across the endpoint, whoever sends them: a
// bucket that fills at that rate and holds a second's worth, or the largest request allowed if
// that is more, so every allowed request can pass on a full bucket. A request takes only what
// it needs: small requests keep passing while a large one waits for the bucket to refill.
class DecodeBudget final
{
public:
    using Clock = std::chrono::steady_clock;

    DecodeBudget(qint64 pixelsPerSecond, qint64 largestRequest);
    DecodeBudget(const DecodeBudget &) = delete;
    DecodeBudget &operator=(const DecodeBudget &) = delete;

    // Takes `pixels` and returns 0 s, or takes nothing and returns how long to wait (>= 1 s).
    std::chrono::seconds take(qint64 pixels, Clock::time_point now = Clock::now());
    qint64 pixelsPerSecond() const { return m_rate; }

private:
    std::mutex m_mutex;
    const qint64 m_rate;
    const qint64 m_capacity;
    double m_level;
    Clock::time_point m_filled;
};

} // namespace digitdesk::app
