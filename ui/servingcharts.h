#pragma once

#include "ui/slotracker.h"

#include <QWidget>

#include <deque>

class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace digitdesk::ui {

// The Serving view's charts of the last ten minutes: latency quantiles on a log axis against
// the 2 s objective with the request rate beside them, the error rate of the 60 s window, and
// the endpoint process' CPU use and resident memory (is the model efficient, not only fast).
// Each value axis reaches a round number just above what it shows.
class ServingCharts final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServingCharts)

public:
    explicit ServingCharts(QWidget *parent = nullptr);

    // Draws `history` (SloTracker::history(), oldest first); the time axes end at its last
    // point, or now when it is empty.
    void showHistory(const std::deque<SloPoint> &history);

private:
    QChartView *makeLatencyChart();
    QChartView *makeErrorChart();
    QChartView *makeProcessChart();

    QDateTimeAxis *m_latencyTime = nullptr;
    QLogValueAxis *m_latencyAxis = nullptr; // milliseconds: both 2 ms and the 2 s objective show
    QValueAxis *m_rateAxis = nullptr;
    QLineSeries *m_p50Series = nullptr;
    QLineSeries *m_p95Series = nullptr;
    QLineSeries *m_p99Series = nullptr;
    QLineSeries *m_objectiveSeries = nullptr;
    QLineSeries *m_rateSeries = nullptr;
    QDateTimeAxis *m_errorTime = nullptr;
    QValueAxis *m_errorAxis = nullptr;
    QLineSeries *m_errorSeries = nullptr;
    QDateTimeAxis *m_processTime = nullptr;
    QValueAxis *m_cpuAxis = nullptr;
    QValueAxis *m_memoryAxis = nullptr;
    QLineSeries *m_cpuSeries = nullptr;
    QLineSeries *m_memorySeries = nullptr;
};

} // namespace digitdesk::ui
