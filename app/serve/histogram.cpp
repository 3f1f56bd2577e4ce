#include "app/serve/histogram.h"

#include "app/serve/prometheustext.h"

#include <algorithm>
#include <limits>

namespace digitdesk::app {

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
    using prometheus::Notation;
    prometheus::family(out, name, prometheus::Type::Histogram, help);
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= m_bounds.size(); ++i) {
        cumulative += m_counts[i].load(std::memory_order_relaxed);
        const double bound =
            i < m_bounds.size() ? m_bounds[i] : std::numeric_limits<double>::infinity();
        prometheus::sample(out, bucket,
                           prometheus::label("le", prometheus::number(bound, Notation::Fixed)),
                           prometheus::number(cumulative));
    }
    prometheus::sample(out, std::string(name) + "_sum", "",
                       prometheus::number(m_sum.load(std::memory_order_relaxed), Notation::Fixed));
    prometheus::sample(out, std::string(name) + "_count", "", prometheus::number(cumulative));
}

} // namespace digitdesk::app
