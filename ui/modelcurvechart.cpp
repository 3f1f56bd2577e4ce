#include "ui/modelcurvechart.h"

#include "ui/chartpalette.h"
#include "ui/chartparts.h"
#include "ui/trainingruntablemodel.h"

#include <QChartView>
#include <QLineSeries>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {

ModelCurveChart::ModelCurveChart(QWidget *parent) : QWidget(parent)
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    m_chart = chart;
    chart->setTitle(tr("Held-out accuracy against the approved labels of the model's version"));
    m_labels = addValueAxis(chart, tr("approved labels in the dataset version"), Qt::AlignBottom);
    m_labels->setLabelFormat(QStringLiteral("%d"));
    m_accuracy = addValueAxis(chart, tr("held-out accuracy, %"), Qt::AlignLeft);
    m_best = addSeries<QLineSeries>(chart, tr("best at each size"), m_labels, m_accuracy);
    m_best->setPen(QPen(chartBlue(palette()), 2));
    m_models = addSeries<QScatterSeries>(chart, tr("models"), m_labels, m_accuracy);
    m_models->setMarkerSize(9);
    m_models->setColor(QColor(QStringLiteral("#ef6c00")));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeChartView(chart, QStringLiteral("modelCurveChart"), this));
}

void ModelCurveChart::showModels(const std::vector<storage::ModelRecord> &models,
                                 const std::map<QString, int> &labelCounts)
{
    std::vector<CurvePoint> points;
    for (const storage::ModelRecord &model : models) {
        const auto count = labelCounts.find(model.datasetCommit);
        const double accuracy = TrainingRunTableModel::heldOutAccuracy(model.metrics);
        if (model.datasetCommit.isEmpty() || count == labelCounts.end() || accuracy < 0) {
            continue;
        }
        points.push_back({count->second, accuracy});
    }
    showPoints(points);
}

void ModelCurveChart::showPoints(const std::vector<CurvePoint> &curve)
{
    QList<QPointF> points;
    std::map<int, double> best;
    for (const CurvePoint &point : curve) {
        points.append({static_cast<qreal>(point.labels), point.accuracy * 100});
        best[point.labels] = std::max(best[point.labels], point.accuracy * 100);
    }
    QList<QPointF> line;
    for (const auto &[labels, accuracy] : best) {
        line.append({static_cast<qreal>(labels), accuracy});
    }
    m_models->replace(points);
    m_best->replace(line);
    double lowest = 100;
    int most = 1;
    for (const QPointF &point : points) {
        lowest = std::min(lowest, point.y());
        most = std::max(most, static_cast<int>(point.x()));
    }
    m_accuracy->setRange(points.isEmpty() ? 0 : std::floor(lowest - 1), 100);
    m_labels->setRange(0, most * 1.05);
    m_labels->applyNiceNumbers();
}

void ModelCurveChart::setTitle(const QString &title)
{
    m_chart->setTitle(title);
}

int ModelCurveChart::pointCount() const
{
    return static_cast<int>(m_models->count());
}

} // namespace digitdesk::ui
