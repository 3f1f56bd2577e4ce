#include "ui/trainingcurves.h"

#include "ui/chartpalette.h"
#include "ui/chartparts.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
TrainingCurves::TrainingCurves(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeLossChart(), 1);
    layout->addWidget(makeAccuracyChart(), 1);
    m_redraw.setInterval(RedrawIntervalMs);
    m_redraw.setSingleShot(true);
    connect(&m_redraw, &QTimer::timeout, this, &TrainingCurves::redraw);
    clear(1);
}

QChartView *TrainingCurves::makeLossChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Loss (running mean of the epoch)"));
    chart->legend()->hide();
    m_lossSteps = addValueAxis(chart, tr("step"), Qt::AlignBottom);
    m_lossAxis = addValueAxis(chart, tr("cross-entropy"), Qt::AlignLeft);
    m_loss = addSeries<QLineSeries>(chart, tr("loss"), m_lossSteps, m_lossAxis);
    m_loss->setPen(QPen(toneColor(Tone::Error, palette()), 1.5));
    return makeChartView(chart, QStringLiteral("trainingLossChart"), this, 200);
}

QChartView *TrainingCurves::makeAccuracyChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Accuracy"));
    m_accuracySteps = addValueAxis(chart, tr("step"), Qt::AlignBottom);
    m_accuracyAxis = addValueAxis(chart, tr("%"), Qt::AlignLeft);
    m_accuracy =
        addSeries<QLineSeries>(chart, tr("training (per step)"), m_accuracySteps, m_accuracyAxis);
    m_accuracy->setPen(QPen(QColor(QStringLiteral("#90a4ae")), 1));
    m_epochTrain =
        addSeries<QLineSeries>(chart, tr("training (epoch)"), m_accuracySteps, m_accuracyAxis);
    m_epochTrain->setPen(QPen(chartBlue(palette()), 2));
    m_epochHeldOut =
        addSeries<QLineSeries>(chart, tr("held-out (epoch)"), m_accuracySteps, m_accuracyAxis);
    m_epochHeldOut->setPen(QPen(toneColor(Tone::Success, palette()), 2));
    m_epochHeldOutDots =
        addSeries<QScatterSeries>(chart, QString(), m_accuracySteps, m_accuracyAxis);
    m_epochHeldOutDots->setMarkerSize(7);
    m_epochHeldOutDots->setColor(toneColor(Tone::Success, palette()));
    chart->legend()->markers(m_epochHeldOutDots).constFirst()->setVisible(false);
    return makeChartView(chart, QStringLiteral("trainingAccuracyChart"), this, 200);
}

void TrainingCurves::clear(qint64 steps)
{
    m_steps = std::max<qint64>(1, steps);
    m_highestLoss = 0;
    m_lossPoints.clear();
    m_accuracyPoints.clear();
    m_epochTrainPoints.clear();
    m_epochHeldOutPoints.clear();
    m_redraw.stop();
    redraw();
}

void TrainingCurves::addStep(qint64 step, double loss, double accuracy)
{
    if (!std::isfinite(loss) || !std::isfinite(accuracy)) {
        return;
    }
    m_lossPoints.append({static_cast<qreal>(step), loss});
    m_accuracyPoints.append({static_cast<qreal>(step), accuracy * 100});
    m_highestLoss = std::max(m_highestLoss, loss);
    if (!m_redraw.isActive()) {
        m_redraw.start();
    }
}

void TrainingCurves::addEpoch(qint64 step, double trainAccuracy, double heldOutAccuracy)
{
    m_epochTrainPoints.append({static_cast<qreal>(step), trainAccuracy * 100});
    if (heldOutAccuracy >= 0) {
        m_epochHeldOutPoints.append({static_cast<qreal>(step), heldOutAccuracy * 100});
    }
    if (!m_redraw.isActive()) {
        m_redraw.start();
    }
}

int TrainingCurves::lossPointCount() const
{
    return static_cast<int>(m_loss->count());
}

int TrainingCurves::epochPointCount() const
{
    return static_cast<int>(m_epochTrain->count());
}

void TrainingCurves::redraw()
{
    m_loss->replace(m_lossPoints);
    m_accuracy->replace(m_accuracyPoints);
    m_epochTrain->replace(m_epochTrainPoints);
    m_epochHeldOut->replace(m_epochHeldOutPoints);
    m_epochHeldOutDots->replace(m_epochHeldOutPoints);
    // Whole steps, at most about five intervals of 1, 2 or 5 times a power of ten.
    const double rough = std::max(1.0, static_cast<double>(m_steps) / 5.0);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double interval = 10 * magnitude;
    for (const double mantissa : {1.0, 2.0, 5.0}) {
        if (rough <= mantissa * magnitude) {
            interval = mantissa * magnitude;
            break;
        }
    }
    for (QValueAxis *steps : {m_lossSteps, m_accuracySteps}) {
        steps->setRange(0, std::ceil(static_cast<double>(m_steps) / interval) * interval);
        steps->setTickType(QValueAxis::TicksDynamic);
        steps->setTickAnchor(0);
        steps->setTickInterval(interval);
        steps->setLabelFormat(QStringLiteral("%d"));
    }
    m_lossAxis->setRange(0, m_highestLoss > 0 ? m_highestLoss * 1.05 : 2.5);
    m_lossAxis->applyNiceNumbers();
    double lowest = m_accuracyPoints.isEmpty() ? 0 : 100;
    for (const QList<QPointF> *points : {&m_accuracyPoints, &m_epochHeldOutPoints}) {
        for (const QPointF &point : *points) {
            lowest = std::min(lowest, point.y());
        }
    }
    m_accuracyAxis->setRange(std::max(0.0, std::floor(lowest / 10) * 10), 100);
    m_accuracyAxis->setLabelFormat(QStringLiteral("%d"));
}

} // namespace digitdesk::ui
