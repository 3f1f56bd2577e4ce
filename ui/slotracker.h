#pragma once

#include "annotation/metricssnapshot.h"
#include "annotation/servingmetricnames.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <deque>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace digitdesk::ui {

// Requests and bad requests over one of the server's SLO windows ("5m" ... "30d"), as it
// exports them in digitdesk_slo_requests / digitdesk_slo_bad_requests.
struct SloWindow
{
    double requests = 0;
    double bad = 0;

    // 1 - bad/requests; nullopt when there was no traffic.
    std::optional<double> availability() const;
    // How many times faster than the objective allows the budget burns; 0 without traffic.
    double burnRate() const;
};

// One chart point, one per scrape.
struct SloPoint
{
    QDateTime at;
    double rate = 0;                                       // requests per second over the last 10 s
    double p50 = std::numeric_limits<double>::quiet_NaN(); // seconds, NaN without requests
    double p95 = std::numeric_limits<double>::quiet_NaN();
    double p99 = std::numeric_limits<double>::quiet_NaN();
    double errorRate = 0; // windowBad / windowRequests
    // Inference requests, and those answered 5xx or slower than the objective, over the last
    // 60 s (less right after a start or a restart).
    double windowRequests = 0;
    double windowBad = 0;
    // The endpoint process: CPU cores in use over the rate window, resident memory. NaN when
    // the scrapes do not say (an endpoint older than these series).
    double cpuCores = std::numeric_limits<double>::quiet_NaN();
    double residentMb = std::numeric_limits<double>::quiet_NaN();
};

// What the dashboard shows after the latest scrape.
struct SloFigures
{
    bool hasData = false;
    SloPoint now;
    SloWindow window5m, window30m, window1h, window6h, window1d, window30d;
    double budgetLeft = 1; // of the 30-day error budget; negative once overspent
    double burn5m = 0, burn30m = 0, burn1h = 0, burn6h = 0;
    bool page = false;   // burn(1h) and burn(5m) above 14.4
    bool ticket = false; // burn(6h) and burn(30m) above 6

    bool latencyObjectiveMet() const;
};

// Turns the endpoint's scrapes, one a second, into the service level figures: rate, latency
// quantiles and error rate from counter deltas over short windows, availability, error budget
// and multiwindow burn-rate alerts (Google SRE workbook, chapter 5) from the server's own
// per-window gauges, and the last ten minutes of points for the charts.
class SloTracker final
{
    Q_DISABLE_COPY_MOVE(SloTracker)

public:
    static constexpr double LatencyObjectiveSeconds =
        std::chrono::duration<double>(annotation::slo::LatencyObjective).count();
    static constexpr double AvailabilityObjective = annotation::slo::AvailabilityObjective;
    static constexpr double ErrorBudget = annotation::slo::ErrorBudget;
    static constexpr double PageBurnRate = annotation::slo::PageBurnRate;
    static constexpr double TicketBurnRate = annotation::slo::TicketBurnRate;
    static constexpr qint64 RateWindowSeconds = 10;
    static constexpr qint64 LatencyWindowSeconds = 60;
    static constexpr qint64 HistorySeconds = 600;

    SloTracker() = default;

    // Scrapes come in time order; one older than the last (a clock step) starts over.
    void add(const QDateTime &at, const annotation::MetricsSnapshot &snapshot);
    // Forgets everything, for a different endpoint.
    void clear();

    const SloFigures &figures() const { return m_figures; }
    const std::deque<SloPoint> &history() const { return m_history; }

    // Prometheus' histogram_quantile on cumulative buckets sorted by bound, the last being
    // +Inf: linear interpolation inside the bucket the rank falls in; a rank in the +Inf
    // bucket gives the highest finite bound; NaN without observations.
    static double quantile(double q, const std::vector<std::pair<double, double>> &buckets);
    static double budgetLeft(const SloWindow &window30d);
    static bool pageAlert(double burn1h, double burn5m);
    static bool ticketAlert(double burn6h, double burn30m);

private:
    static SloFigures windowFigures(const annotation::MetricsSnapshot &snapshot,
                                    const SloPoint &now);

    struct Scrape
    {
        QDateTime at;
        double requests = 0;
        double bad = 0;
        double uptime = 0;
        std::vector<std::pair<double, double>> buckets;
        double cpuSeconds = std::numeric_limits<double>::quiet_NaN();
    };

    static bool isReset(const Scrape &before, const Scrape &after);
    const Scrape &oldestSince(const QDateTime &from) const;

    std::deque<Scrape> m_scrapes; // the last LatencyWindowSeconds since the last reset
    std::deque<SloPoint> m_history;
    SloFigures m_figures;
};

} // namespace digitdesk::ui
