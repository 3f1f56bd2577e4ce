#pragma once

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace digitdesk::testing {

// Ticks every 16 ms (a frame) from the moment it is made and keeps the longest time between two
// ticks: how long the event loop stood still, as a person at the window would have felt it.
class EventLoopGaps final
{
public:
    EventLoopGaps()
    {
        m_ticker.setInterval(16);
        QObject::connect(&m_ticker, &QTimer::timeout, [this] {
            m_longest = std::max(m_longest, m_clock.elapsed() - m_lastTick);
            m_lastTick = m_clock.elapsed();
        });
        m_clock.start();
        m_ticker.start();
    }
    void stop() { m_ticker.stop(); }
    qint64 longestMs() const { return m_longest; }

private:
    QElapsedTimer m_clock;
    QTimer m_ticker;
    qint64 m_lastTick = 0;
    qint64 m_longest = 0;
};

} // namespace digitdesk::testing
