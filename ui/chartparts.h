#pragma once

#include <QChart>
#include <QString>

class QAbstractAxis;
class QChartView;
class QValueAxis;
class QWidget;

namespace digitdesk::ui {

// The pieces every chart of the views is built from, so they look and behave alike.
inline constexpr int ChartMinimumHeight = 220;

// An antialiased view of `chart` named `objectName` (tests find charts by it).
QChartView *makeChartView(QChart *chart, const QString &objectName, QWidget *parent,
                          int minimumHeight = ChartMinimumHeight);
// A value axis with a title, added to the chart on `side`.
QValueAxis *addValueAxis(QChart *chart, const QString &title, Qt::Alignment side);

// A series of type S named `name`, added to the chart and attached to both axes.
template <typename S>
S *addSeries(QChart *chart, const QString &name, QAbstractAxis *x, QAbstractAxis *y)
{
    auto *series = new S(chart);
    series->setName(name);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    return series;
}

} // namespace digitdesk::ui
