#include "app/serve/histogram.h"

#include <algorithm>
#include <charconv>

namespace digitdesk::app {

namespace {

std::string number(double value)
{
    char buffer[32];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return {buffer, result.ptr};
}

} // namespace

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds)), m_counts(m_bounds.size() + 1)
{}

void Histogram::observe(double value)
{
    const auto at = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    m_counts[static_cast<size_t>(at - m_bounds.begin())].fetch_add(1, std::memory_order_relaxed);
    double sum = m_sum.load(std::memory_order_relaxed);
    while (!m_sum.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
    }
}

void Histogram::render(std::string &out, std::string_view name, std::string_view help) const
{
    out.append("# HELP ").append(name).append(" ").append(help);
    out.append("\n# TYPE ").append(name).append(" histogram\n");
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= m_bounds.size(); ++i) {
        cumulative += m_counts[i].load(std::memory_order_relaxed);
        const std::string bound = i < m_bounds.size() ? number(m_bounds[i]) : "+Inf";
        out.append(name).append("_bucket{le=\"").append(bound).append("\"} ");
        out.append(std::to_string(cumulative)).append("\n");
    }
    out.append(name).append("_sum ").append(number(m_sum.load(std::memory_order_relaxed)));
    out.append("\n").append(name).append("_count ").append(std::to_string(cumulative));
    out.append("\n");
}

} // namespace digitdesk::app
