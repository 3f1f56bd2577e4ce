#pragma once

#include "annotation/metricssnapshot.h"
#include "ui/slotracker.h"

#include <QWidget>

class QLabel;

namespace digitdesk::ui {

// The Serving view's service level figures as big numbers: request rate, latency quantiles
// against the 2 s objective, error rate, availability over 1 h, 1 day and 30 days, the error
// budget left, the burn rates with the page and ticket alerts, and the endpoint's counters
// since it started.
class ServingFigures final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServingFigures)

public:
    explicit ServingFigures(QWidget *parent = nullptr);

    // Shows `figures` (SloTracker::figures()) and the counters of `latest`, the last scrape;
    // dashes while `figures` has no data.
    void showFigures(const SloFigures &figures, const annotation::MetricsSnapshot &latest);

private:
    void clearFigures();
    void showCounters(const annotation::MetricsSnapshot &latest);

    QLabel *m_rate;
    QLabel *m_p50;
    QLabel *m_p95;
    QLabel *m_p99;
    QLabel *m_errorRate;
    QLabel *m_errorDetail; // the counts behind the error rate
    QLabel *m_availability1h;
    QLabel *m_availability1d;
    QLabel *m_availability30d;
    QLabel *m_budget;
    QLabel *m_burn5m;
    QLabel *m_burn30m;
    QLabel *m_burn1h;
    QLabel *m_burn6h;
    QLabel *m_page;
    QLabel *m_ticket;
    QLabel *m_counters;
};

} // namespace digitdesk::ui
