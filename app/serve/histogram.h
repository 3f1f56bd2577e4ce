#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace digitdesk::app {

// A Prometheus histogram: cumulative buckets by upper bound, a sum and a count. Lock-free;
// observe() may be called from any thread.
class Histogram final
{
public:
    explicit Histogram(std::vector<double> upperBounds);

    void observe(double value);
    // Appends `name`_bucket, _sum and _count lines in the text exposition format.
    void render(std::string &out, std::string_view name, std::string_view help) const;

private:
    std::vector<double> m_bounds;
    std::vector<std::atomic<uint64_t>> m_counts; // per bucket, not cumulative; last is +Inf
    std::atomic<double> m_sum{0};
};

} // namespace digitdesk::app
