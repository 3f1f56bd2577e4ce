#include "app/serve/decodebudget.h"

#include <algorithm>
#include <cmath>

namespace digitdesk::app {

DecodeBudget::DecodeBudget(qint64 pixelsPerSecond, qint64 largestRequest)
    : m_rate(std::max<qint64>(1, pixelsPerSecond)), m_capacity(std::max(m_rate, largestRequest)),
      m_level(static_cast<double>(m_capacity)), m_filled(Clock::now())
{}

std::chrono::seconds DecodeBudget::take(qint64 pixels, Clock::time_point now)
{
    const std::lock_guard lock(m_mutex);
    const double rate = static_cast<double>(m_rate);
    if (now > m_filled) {
        const double seconds = std::chrono::duration<double>(now - m_filled).count();
        m_level = std::min(static_cast<double>(m_capacity), m_level + seconds * rate);
        m_filled = now;
    }
    const double needed = static_cast<double>(std::min(m_capacity, pixels));
    if (m_level >= needed) {
        m_level -= needed;
        return std::chrono::seconds(0);
    }
    const double wait = std::ceil((needed - m_level) / rate);
    return std::chrono::seconds(std::max<qint64>(1, static_cast<qint64>(wait)));
}

} // namespace digitdesk::app
