#include "ui/datasethistogramchart.h"

#include "ui/chartpalette.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QValueAxis>

#include <algorithm>

namespace digitdesk::ui {

DatasetHistogramChart::DatasetHistogramChart(QWidget *parent)
    : QChartView(parent), m_bars(new QBarSet(tr("images"))), m_count(new QValueAxis)
{
    setObjectName(QStringLiteral("datasetHistogram"));
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Images per class"));
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_bars->setColor(QColor(QStringLiteral("#1677ff")));
    for (int i = 0; i < 11; ++i) {
        m_bars->append(0);
    }
    auto *series = new QBarSeries(chart);
    series->append(m_bars);
    // Counts stand above the bars, turned upright: four digits never fit across a narrow bar.
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setLabelsAngle(-90);
    m_bars->setLabelColor(palette().color(QPalette::WindowText));
    chart->addSeries(series);
    auto *classes = new QBarCategoryAxis(chart);
    QStringList names;
    for (int digit = 0; digit < 10; ++digit) {
        names << QString::number(digit);
    }
    names << QStringLiteral("x");
    classes->append(names);
    chart->addAxis(classes, Qt::AlignBottom);
    series->attachAxis(classes);
    m_count->setParent(chart);
    m_count->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_count, Qt::AlignLeft);
    series->attachAxis(m_count);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(220, 150);
    setHistogram({});
}

void DatasetHistogramChart::setHistogram(const std::array<int, 11> &histogram)
{
    int highest = 1;
    for (size_t i = 0; i < histogram.size(); ++i) {
        m_bars->replace(static_cast<int>(i), histogram[i]);
        highest = std::max(highest, histogram[i]);
    }
    // Room above the tallest bar for its count.
    m_count->setRange(0, highest * 1.3);
    m_count->applyNiceNumbers();
}

QList<qreal> DatasetHistogramChart::values() const
{
    QList<qreal> heights;
    for (int i = 0; i < m_bars->count(); ++i) {
        heights << m_bars->at(i);
    }
    return heights;
}

} // namespace digitdesk::ui
