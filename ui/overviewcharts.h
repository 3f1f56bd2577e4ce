#pragma once

#include "annotation/teamoverview.h"

#include <QWidget>

class QBarCategoryAxis;
class QChart;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QStackedWidget;
class QValueAxis;

namespace digitdesk::ui {

class ModelCurveChart;

// The Overview's charts: labels per day per annotator against the daily target, gold accuracy
// and Cohen's kappa with the reviewers per annotator and week, and the models' held-out
// accuracy by dataset version (the Models view's learning curve). A chart without data gives
// way to a line saying what is missing.
class OverviewCharts final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewCharts)

public:
    explicit OverviewCharts(QWidget *parent = nullptr);

    void showFigures(const annotation::OverviewFigures &figures);
    // The lines standing in for charts without data, in the order of the charts.
    QStringList emptyMessages() const;
    QChart *labelsChart() const { return m_labelsChart; }
    QChart *goldChart() const { return m_goldChart; }
    QChart *kappaChart() const { return m_kappaChart; }
    ModelCurveChart *modelCurve() const { return m_curve; }

private:
    struct Panel
    {
        QStackedWidget *stack = nullptr;
        QLabel *empty = nullptr;
    };
    Panel addPanel(QWidget *chart, const QString &name);
    void showPanel(const Panel &panel, bool hasData, const QString &emptyText);
    void showLabels(const annotation::OverviewFigures &figures);
    // One line per annotator of a weekly figure; false when no week has a value.
    bool showWeekly(QChart *chart, QBarCategoryAxis *weeks, QValueAxis *values,
                    const annotation::OverviewFigures &figures, bool kappa);

    QChart *m_labelsChart;
    QDateTimeAxis *m_days;
    QValueAxis *m_labelCounts;
    QLineSeries *m_target;
    QChart *m_goldChart;
    QBarCategoryAxis *m_goldWeeks;
    QValueAxis *m_goldAxis;
    QLineSeries *m_goldAnchor;
    QChart *m_kappaChart;
    QBarCategoryAxis *m_kappaWeeks;
    QValueAxis *m_kappaAxis;
    QLineSeries *m_kappaAnchor;
    ModelCurveChart *m_curve;
    Panel m_labelsPanel;
    Panel m_goldPanel;
    Panel m_kappaPanel;
    Panel m_curvePanel;
};

} // namespace digitdesk::ui
