#include "ui/chartparts.h"

#include <QChart>
#include <QChartView>
#include <QValueAxis>

namespace digitdesk::ui {

QChartView *makeChartView(QChart *chart, const QString &objectName, QWidget *parent,
                          int minimumHeight)
{
    auto *view = new QChartView(chart, parent);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(minimumHeight);
    return view;
}

QValueAxis *addValueAxis(QChart *chart, const QString &title, Qt::Alignment side)
{
    auto *axis = new QValueAxis(chart);
    axis->setTitleText(title);
    chart->addAxis(axis, side);
    return axis;
}

} // namespace digitdesk::ui
