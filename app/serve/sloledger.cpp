#include "app/serve/sloledger.h"

namespace digitdesk::app {

qint64 SloLedger::minuteOf(Clock::time_point at)
{
    return std::chrono::duration_cast<std::chrono::minutes>(at.time_since_epoch()).count();
}

namespace {

void addTo(std::map<qint64, storage::ServingMinute> &minutes,
           const std::vector<storage::ServingMinute> &more)
{
    for (const storage::ServingMinute &minute : more) {
        storage::ServingMinute &slot = minutes[minute.minute];
        slot.minute = minute.minute;
        slot.requests += minute.requests;
        slot.bad += minute.bad;
    }
}

} // namespace

void SloLedger::load(const std::vector<storage::ServingMinute> &history)
{
    const std::lock_guard lock(m_mutex);
    addTo(m_minutes, history);
}

void SloLedger::record(bool bad, Clock::time_point at)
{
    const qint64 minute = minuteOf(at);
    const std::lock_guard lock(m_mutex);
    for (auto *minutes : {&m_minutes, &m_unsaved}) {
        storage::ServingMinute &slot = (*minutes)[minute];
        slot.minute = minute;
        ++slot.requests;
        slot.bad += bad ? 1 : 0;
    }
    const qint64 oldest = minute - Horizon.count();
    while (!m_minutes.empty() && m_minutes.begin()->first < oldest) {
        m_minutes.erase(m_minutes.begin());
    }
}

SloLedger::Window SloLedger::window(std::chrono::minutes span, Clock::time_point at) const
{
    const qint64 last = minuteOf(at);
    const qint64 first = last - span.count() + 1;
    Window window;
    const std::lock_guard lock(m_mutex);
    for (auto it = m_minutes.lower_bound(first); it != m_minutes.end() && it->first <= last; ++it) {
        window.requests += it->second.requests;
        window.bad += it->second.bad;
    }
    return window;
}

std::vector<storage::ServingMinute> SloLedger::takeUnsaved()
{
    const std::lock_guard lock(m_mutex);
    std::vector<storage::ServingMinute> minutes;
    minutes.reserve(m_unsaved.size());
    for (const auto &entry : m_unsaved) {
        minutes.push_back(entry.second);
    }
    m_unsaved.clear();
    return minutes;
}

void SloLedger::restoreUnsaved(const std::vector<storage::ServingMinute> &minutes)
{
    const std::lock_guard lock(m_mutex);
    addTo(m_unsaved, minutes);
}

} // namespace digitdesk::app
