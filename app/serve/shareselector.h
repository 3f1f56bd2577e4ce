#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>

namespace digitdesk::app {

// Picks a share of calls, spread evenly and exactly: with share 0.25, every fourth. No random
// source to seed or to lock, and a test at 100% sees every request picked.
class ShareSelector final
{
public:
    bool pick(double share)
    {
        if (!(share > 0)) {
            return false;
        }
        if (share >= 1) {
            return true;
        }
        const uint64_t n = m_calls.fetch_add(1, std::memory_order_relaxed);
        return std::floor(static_cast<double>(n + 1) * share) !=
               std::floor(static_cast<double>(n) * share);
    }

private:
    std::atomic<uint64_t> m_calls{0};
};

} // namespace digitdesk::app
