#include "ui/servingcharts.h"

#include "ui/chartpalette.h"
#include "ui/chartparts.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

const QString Red = QStringLiteral("#b00020");

QDateTimeAxis *timeAxis(QChart *chart)
{
    auto *axis = new QDateTimeAxis(chart);
    axis->setFormat(QStringLiteral("HH:mm"));
    axis->setTickCount(6);
    chart->addAxis(axis, Qt::AlignBottom);
    return axis;
}

// From 0 to a round number at or above `highest` in 2 to 5 steps of 1, 2, 2.5 or 5 times a
// power of ten, labelled with the decimals the step needs: 0-1.2 reads 0.0 0.5 1.0 1.5, not
// "0 0 1 1 1" as a fixed format would.
void setRoundRange(QValueAxis *axis, double highest)
{
    if (!std::isfinite(highest) || highest <= 0) {
        highest = 1.0;
    }
    const double rough = highest / 4.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = 10 * magnitude;
    for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
        if (rough <= mantissa * magnitude * (1 + 1e-9)) {
            step = mantissa * magnitude;
            break;
        }
    }
    const int intervals = std::max(1, static_cast<int>(std::ceil(highest / step - 1e-9)));
    int decimals = 0;
    for (double scaled = step;
         decimals < 12 && std::abs(scaled - std::round(scaled)) > 1e-6 * scaled; scaled *= 10) {
        ++decimals;
    }
    axis->setRange(0, step * intervals);
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setTickCount(intervals + 1);
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

} // namespace

ServingCharts::ServingCharts(QWidget *parent) : QWidget(parent)
{
    // Three charts side by side truncate their titles and time labels: latency gets the
    // whole width, errors and the process share the row under it.
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeLatencyChart(), 0, 0, 1, 2);
    layout->addWidget(makeErrorChart(), 1, 0);
    layout->addWidget(makeProcessChart(), 1, 1);
}

QChartView *ServingCharts::makeLatencyChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Latency and request rate, last 10 minutes"));
    m_latencyTime = timeAxis(chart);
    m_latencyAxis = new QLogValueAxis(chart);
    m_latencyAxis->setTitleText(tr("ms (log)"));
    m_latencyAxis->setLabelFormat(QStringLiteral("%g"));
    m_latencyAxis->setBase(10);
    m_latencyAxis->setRange(0.1, 10000);
    chart->addAxis(m_latencyAxis, Qt::AlignLeft);
    m_rateAxis = addValueAxis(chart, tr("requests/s"), Qt::AlignRight);
    m_p50Series = addSeries<QLineSeries>(chart, tr("p50"), m_latencyTime, m_latencyAxis);
    m_p95Series = addSeries<QLineSeries>(chart, tr("p95"), m_latencyTime, m_latencyAxis);
    m_p99Series = addSeries<QLineSeries>(chart, tr("p99"), m_latencyTime, m_latencyAxis);
    m_objectiveSeries =
        addSeries<QLineSeries>(chart, tr("2 s objective"), m_latencyTime, m_latencyAxis);
    QPen objective{seriesColor(palette(), QColor(Red))};
    objective.setStyle(Qt::DashLine);
    objective.setWidth(2);
    m_objectiveSeries->setPen(objective);
    m_rateSeries = addSeries<QLineSeries>(chart, tr("requests/s"), m_latencyTime, m_rateAxis);
    QPen rate(QColor(QStringLiteral("#607d8b")));
    rate.setWidth(1);
    m_rateSeries->setPen(rate);
    return makeChartView(chart, QStringLiteral("servingLatencyChart"), this);
}

QChartView *ServingCharts::makeErrorChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Error rate (60 s window), last 10 minutes"));
    chart->legend()->hide();
    m_errorTime = timeAxis(chart);
    m_errorAxis = addValueAxis(chart, tr("% of requests"), Qt::AlignLeft);
    m_errorSeries = addSeries<QLineSeries>(chart, tr("error rate"), m_errorTime, m_errorAxis);
    m_errorSeries->setPen(QPen(seriesColor(palette(), QColor(Red)), 2));
    return makeChartView(chart, QStringLiteral("servingErrorChart"), this);
}

QChartView *ServingCharts::makeProcessChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Endpoint process: CPU and memory, last 10 minutes"));
    m_processTime = timeAxis(chart);
    m_cpuAxis = addValueAxis(chart, tr("cores"), Qt::AlignLeft);
    m_memoryAxis = addValueAxis(chart, tr("MB"), Qt::AlignRight);
    m_cpuSeries = addSeries<QLineSeries>(chart, tr("CPU"), m_processTime, m_cpuAxis);
    m_cpuSeries->setPen(QPen(chartBlue(palette()), 2));
    m_memorySeries = addSeries<QLineSeries>(chart, tr("memory"), m_processTime, m_memoryAxis);
    m_memorySeries->setPen(QPen(seriesColor(palette(), QColor(QStringLiteral("#6a1b9a"))), 2));
    return makeChartView(chart, QStringLiteral("servingProcessChart"), this);
}

void ServingCharts::showHistory(const std::deque<SloPoint> &history)
{
    QList<QPointF> p50, p95, p99, rate, errors, cpu, memory;
    double highestCpu = 1;
    double highestMemory = 100;
    double highest = SloTracker::LatencyObjectiveSeconds * 1000 * 5;
    double highestRate = 1;
    double highestError = 0.01;
    for (const SloPoint &point : history) {
        const auto x = static_cast<qreal>(point.at.toMSecsSinceEpoch());
        if (!std::isnan(point.p99)) {
            p50.append({x, point.p50 * 1000});
            p95.append({x, point.p95 * 1000});
            p99.append({x, point.p99 * 1000});
            highest = std::max(highest, point.p99 * 1000 * 2);
        }
        rate.append({x, point.rate});
        highestRate = std::max(highestRate, point.rate * 1.2);
        errors.append({x, point.errorRate * 100.0});
        highestError = std::max(highestError, point.errorRate * 120.0);
        if (std::isfinite(point.cpuCores)) {
            cpu.append({x, point.cpuCores});
            highestCpu = std::max(highestCpu, point.cpuCores * 1.2);
        }
        if (std::isfinite(point.residentMb)) {
            memory.append({x, point.residentMb});
            highestMemory = std::max(highestMemory, point.residentMb * 1.2);
        }
    }
    m_p50Series->replace(p50);
    m_p95Series->replace(p95);
    m_p99Series->replace(p99);
    m_rateSeries->replace(rate);
    m_errorSeries->replace(errors);
    m_cpuSeries->replace(cpu);
    m_memorySeries->replace(memory);
    const QDateTime end = history.empty() ? QDateTime::currentDateTime() : history.back().at;
    const QDateTime begin = end.addSecs(-SloTracker::HistorySeconds);
    m_objectiveSeries->replace({{static_cast<qreal>(begin.toMSecsSinceEpoch()),
                                 SloTracker::LatencyObjectiveSeconds * 1000},
                                {static_cast<qreal>(end.toMSecsSinceEpoch()),
                                 SloTracker::LatencyObjectiveSeconds * 1000}});
    for (QDateTimeAxis *axis : {m_latencyTime, m_errorTime, m_processTime}) {
        axis->setRange(begin, end);
    }
    m_latencyAxis->setMax(highest);
    setRoundRange(m_rateAxis, highestRate);
    setRoundRange(m_errorAxis, highestError);
    setRoundRange(m_cpuAxis, highestCpu);
    setRoundRange(m_memoryAxis, highestMemory);
}

} // namespace digitdesk::ui
