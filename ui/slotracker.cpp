#include "ui/slotracker.h"

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

namespace metric = annotation::metric;

const QString RequestCount = metric::name(metric::RequestDuration, metric::CountSuffix);
const QString CpuSeconds = metric::name(metric::ProcessCpuSeconds);
const QString ResidentBytes = metric::name(metric::ProcessResidentBytes);
const QString RequestBuckets = metric::name(metric::RequestDuration, metric::BucketSuffix);
const QString BadTotal = metric::name(metric::SloBadTotal);
const QString Uptime = metric::name(metric::Uptime);
const QString WindowRequests = metric::name(metric::SloRequests);
const QString WindowBad = metric::name(metric::SloBadRequests);

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

SloWindow windowOf(const annotation::MetricsSnapshot &snapshot, const QString &name)
{
    const annotation::MetricsSnapshot::Labels labels{{QStringLiteral("window"), name}};
    return {snapshot.value(WindowRequests, labels), snapshot.value(WindowBad, labels)};
}

// newer - older, bucket by bucket (matched by bound; a bound the older scrape lacks counts
// from zero).
std::vector<std::pair<double, double>> delta(const std::vector<std::pair<double, double>> &older,
                                             const std::vector<std::pair<double, double>> &newer)
{
    std::vector<std::pair<double, double>> result;
    result.reserve(newer.size());
    for (const auto &[le, count] : newer) {
        const auto found = std::find_if(older.begin(), older.end(), [le = le](const auto &bucket) {
            return bucket.first == le;
        });
        result.emplace_back(le, count - (found == older.end() ? 0 : found->second));
    }
    return result;
}

} // namespace

std::optional<double> SloWindow::availability() const
{
    if (requests <= 0) {
        return std::nullopt;
    }
    return 1.0 - bad / requests;
}

double SloWindow::burnRate() const
{
    if (requests <= 0) {
        return 0;
    }
    return (bad / requests) / SloTracker::ErrorBudget;
}

bool SloFigures::latencyObjectiveMet() const
{
    return !(now.p99 > SloTracker::LatencyObjectiveSeconds);
}

double SloTracker::quantile(double q, const std::vector<std::pair<double, double>> &buckets)
{
    if (std::isnan(q)) {
        return NaN;
    }
    if (q < 0) {
        return -std::numeric_limits<double>::infinity();
    }
    if (q > 1) {
        return std::numeric_limits<double>::infinity();
    }
    if (buckets.size() < 2 || !std::isinf(buckets.back().first)) {
        return NaN;
    }
    // Cumulative counts can dip after summing scrapes taken at slightly different moments;
    // histogram_quantile makes them monotonic the same way.
    std::vector<std::pair<double, double>> cumulative = buckets;
    for (size_t i = 1; i < cumulative.size(); ++i) {
        cumulative[i].second = std::max(cumulative[i].second, cumulative[i - 1].second);
    }
    const double observations = cumulative.back().second;
    if (!(observations > 0)) {
        return NaN;
    }
    double rank = q * observations;
    const auto last = cumulative.end() - 1;
    const auto found = std::find_if(cumulative.begin(), last,
                                    [rank](const auto &bucket) { return bucket.second >= rank; });
    if (found == last) {
        return (last - 1)->first;
    }
    if (found == cumulative.begin() && found->first <= 0) {
        return found->first;
    }
    double start = 0;
    double count = found->second;
    if (found != cumulative.begin()) {
        const auto &previous = *(found - 1);
        start = previous.first;
        count -= previous.second;
        rank -= previous.second;
    }
    return start + (found->first - start) * (rank / count);
}

double SloTracker::budgetLeft(const SloWindow &window30d)
{
    if (window30d.requests <= 0) {
        return 1;
    }
    return 1.0 - window30d.bad / (window30d.requests * ErrorBudget);
}

bool SloTracker::pageAlert(double burn1h, double burn5m)
{
    return burn1h > PageBurnRate && burn5m > PageBurnRate;
}

bool SloTracker::ticketAlert(double burn6h, double burn30m)
{
    return burn6h > TicketBurnRate && burn30m > TicketBurnRate;
}

bool SloTracker::isReset(const Scrape &before, const Scrape &after)
{
    return after.at < before.at || after.requests < before.requests || after.bad < before.bad ||
           after.uptime < before.uptime;
}

const SloTracker::Scrape &SloTracker::oldestSince(const QDateTime &from) const
{
    const auto found = std::find_if(m_scrapes.begin(), m_scrapes.end(),
                                    [&from](const Scrape &scrape) { return scrape.at >= from; });
    return found == m_scrapes.end() ? m_scrapes.back() : *found;
}

void SloTracker::clear()
{
    m_scrapes.clear();
    m_history.clear();
    m_figures = {};
}

void SloTracker::add(const QDateTime &at, const annotation::MetricsSnapshot &snapshot)
{
    // A scrape cut short lacks the counters; reading them as zero would look like a restart
    // and then like a burst of the server's whole lifetime. Only its windows are used.
    for (const QString &name : {RequestCount, BadTotal, Uptime}) {
        if (!snapshot.contains(name) || !std::isfinite(snapshot.value(name))) {
            m_figures = windowFigures(snapshot, m_figures.now);
            return;
        }
    }
    Scrape scrape{at, snapshot.value(RequestCount), snapshot.value(BadTotal),
                  snapshot.value(Uptime), snapshot.buckets(RequestBuckets)};
    if (snapshot.contains(CpuSeconds)) {
        scrape.cpuSeconds = snapshot.value(CpuSeconds);
    }
    if (!m_scrapes.empty() && isReset(m_scrapes.back(), scrape)) {
        // A restarted server counts from zero again: deltas across the restart are
        // meaningless, so the windows start over from this scrape.
        m_scrapes.clear();
    }
    if (!m_history.empty() && at < m_history.back().at) {
        m_history.clear();
    }
    m_scrapes.push_back(std::move(scrape));
    const QDateTime latencyFrom = at.addSecs(-LatencyWindowSeconds);
    while (m_scrapes.front().at < latencyFrom) {
        m_scrapes.pop_front();
    }
    const Scrape &newest = m_scrapes.back();

    SloPoint point;
    point.at = at;
    const Scrape &rateFrom = oldestSince(at.addSecs(-RateWindowSeconds));
    const double rateSeconds = static_cast<double>(rateFrom.at.msecsTo(newest.at)) / 1000.0;
    if (rateSeconds > 0) {
        point.rate = (newest.requests - rateFrom.requests) / rateSeconds;
        point.cpuCores = std::max(0.0, (newest.cpuSeconds - rateFrom.cpuSeconds) / rateSeconds);
    }
    if (snapshot.contains(ResidentBytes)) {
        point.residentMb = snapshot.value(ResidentBytes) / 1e6;
    }
    const Scrape &oldest = m_scrapes.front();
    const double requests = newest.requests - oldest.requests;
    if (requests > 0) {
        const auto buckets = delta(oldest.buckets, newest.buckets);
        point.p50 = quantile(0.50, buckets);
        point.p95 = quantile(0.95, buckets);
        point.p99 = quantile(0.99, buckets);
        point.windowRequests = requests;
        point.windowBad = std::clamp(newest.bad - oldest.bad, 0.0, requests);
        point.errorRate = point.windowBad / requests;
    }

    m_figures = windowFigures(snapshot, point);

    m_history.push_back(point);
    const QDateTime historyFrom = at.addSecs(-HistorySeconds);
    while (m_history.front().at < historyFrom) {
        m_history.pop_front();
    }
}

SloFigures SloTracker::windowFigures(const annotation::MetricsSnapshot &snapshot,
                                     const SloPoint &now)
{
    SloFigures figures;
    figures.hasData = true;
    figures.now = now;
    figures.window5m = windowOf(snapshot, QStringLiteral("5m"));
    figures.window30m = windowOf(snapshot, QStringLiteral("30m"));
    figures.window1h = windowOf(snapshot, QStringLiteral("1h"));
    figures.window6h = windowOf(snapshot, QStringLiteral("6h"));
    figures.window1d = windowOf(snapshot, QStringLiteral("1d"));
    figures.window30d = windowOf(snapshot, QStringLiteral("30d"));
    figures.budgetLeft = budgetLeft(figures.window30d);
    figures.burn5m = figures.window5m.burnRate();
    figures.burn30m = figures.window30m.burnRate();
    figures.burn1h = figures.window1h.burnRate();
    figures.burn6h = figures.window6h.burnRate();
    figures.page = pageAlert(figures.burn1h, figures.burn5m);
    figures.ticket = ticketAlert(figures.burn6h, figures.burn30m);
    return figures;
}

} // namespace digitdesk::ui
