#include "ui/overviewcharts.h"

#include "ui/appearance.h"
#include "ui/chartpalette.h"
#include "ui/chartparts.h"
#include "ui/modelcurvechart.h"
#include "ui/overviewexport.h"

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedWidget>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

constexpr int PanelMinimumHeight = 300;

// Noon of the UTC day: the axis shows local time, and noon stays on the same date in every
// time zone within twelve hours of UTC.
QDateTime noonOf(const QDate &day)
{
    return QDateTime(day, QTime(12, 0), Qt::UTC);
}

qreal msecsOf(const QDate &day)
{
    return static_cast<qreal>(noonOf(day).toMSecsSinceEpoch());
}

QLineSeries *addLine(QChart *chart, const QString &name, const QPen &pen, QAbstractAxis *x,
                     QValueAxis *y)
{
    auto *series = addSeries<QLineSeries>(chart, name, x, y);
    series->setPen(pen);
    series->setPointsVisible(true); // a week of its own is a dot, not nothing
    return series;
}

// Qt Charts lays a date axis out (its labels, its line) only while a series is attached to it:
// an empty series that stays keeps them when the lines are replaced.
QLineSeries *addAnchor(QChart *chart, QAbstractAxis *x, QValueAxis *y)
{
    auto *anchor = addSeries<QLineSeries>(chart, QString(), x, y);
    for (QLegendMarker *marker : chart->legend()->markers(anchor)) {
        marker->setVisible(false);
    }
    return anchor;
}

void removeLinesBut(QChart *chart, const QAbstractSeries *keep)
{
    for (QAbstractSeries *series : chart->series()) {
        if (series != keep) {
            chart->removeSeries(series);
            delete series;
        }
    }
}

// Weeks by their Monday, one category each: a point stands on its week, not between dates.
QBarCategoryAxis *addWeekAxis(QChart *chart)
{
    auto *axis = new QBarCategoryAxis(chart);
    axis->setTitleText(QObject::tr("week of (UTC)"));
    chart->addAxis(axis, Qt::AlignBottom);
    return axis;
}

QDateTimeAxis *addDateAxis(QChart *chart, const QString &format)
{
    auto *axis = new QDateTimeAxis(chart);
    axis->setFormat(format);
    axis->setTickCount(6);
    chart->addAxis(axis, Qt::AlignBottom);
    return axis;
}

} // namespace

OverviewCharts::OverviewCharts(QWidget *parent)
    : QWidget(parent), m_labelsChart(new QChart), m_goldChart(new QChart), m_kappaChart(new QChart),
      m_curve(new ModelCurveChart(this))
{
    for (QChart *chart : {m_labelsChart, m_goldChart, m_kappaChart}) {
        matchChartToPalette(chart, palette());
    }
    m_curve->setTitle(tr("Held-out accuracy of the models by the size of their version"));
    m_labelsChart->setTitle(tr("Labels per day per annotator (UTC days)"));
    m_days = addDateAxis(m_labelsChart, QStringLiteral("MM-dd"));
    m_labelCounts = addValueAxis(m_labelsChart, tr("labels"), Qt::AlignLeft);
    m_labelCounts->setLabelFormat(QStringLiteral("%d"));
    m_goldChart->setTitle(tr("Gold accuracy per week"));
    m_goldWeeks = addWeekAxis(m_goldChart);
    m_goldAxis = addValueAxis(m_goldChart, tr("right on gold items, %"), Qt::AlignLeft);
    m_kappaChart->setTitle(tr("Cohen's κ with the reviewers per week"));
    m_kappaWeeks = addWeekAxis(m_kappaChart);
    m_kappaAxis = addValueAxis(m_kappaChart, tr("κ"), Qt::AlignLeft);
    m_target = addSeries<QLineSeries>(m_labelsChart, tr("daily target"), m_days, m_labelCounts);
    m_target->setPen(
        QPen(seriesColor(palette(), QColor(QStringLiteral("#b00020"))), 2, Qt::DashLine));
    m_goldAnchor = addAnchor(m_goldChart, m_goldWeeks, m_goldAxis);
    m_kappaAnchor = addAnchor(m_kappaChart, m_kappaWeeks, m_kappaAxis);

    m_labelsPanel =
        addPanel(makeChartView(m_labelsChart, QStringLiteral("labelsPerDayChart"), this),
                 QStringLiteral("labelsPerDay"));
    m_goldPanel = addPanel(makeChartView(m_goldChart, QStringLiteral("goldAccuracyChart"), this),
                           QStringLiteral("goldAccuracy"));
    m_kappaPanel = addPanel(makeChartView(m_kappaChart, QStringLiteral("kappaChart"), this),
                            QStringLiteral("kappa"));
    m_curvePanel = addPanel(m_curve, QStringLiteral("modelAccuracy"));
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_labelsPanel.stack, 0, 0);
    layout->addWidget(m_curvePanel.stack, 0, 1);
    layout->addWidget(m_goldPanel.stack, 1, 0);
    layout->addWidget(m_kappaPanel.stack, 1, 1);
    layout->setColumnStretch(0, 3);
    layout->setColumnStretch(1, 2);
}

OverviewCharts::Panel OverviewCharts::addPanel(QWidget *chart, const QString &name)
{
    Panel panel;
    panel.stack = new QStackedWidget(this);
    panel.stack->setObjectName(name + QStringLiteral("Panel"));
    // Tall enough for a date axis under a title and a legend.
    panel.stack->setMinimumHeight(PanelMinimumHeight);
    panel.empty = new QLabel(panel.stack);
    panel.empty->setObjectName(name + QStringLiteral("Empty"));
    panel.empty->setAlignment(Qt::AlignCenter);
    panel.empty->setWordWrap(true);
    panel.empty->setTextFormat(Qt::PlainText);
    panel.empty->setStyleSheet(QStringLiteral("QLabel { %1 border: 1px dashed %2; padding: 12px; }")
                                   .arg(toneStyle(Tone::Muted), toneColor(Tone::Muted).name()));
    panel.stack->addWidget(chart);
    panel.stack->addWidget(panel.empty);
    return panel;
}

void OverviewCharts::showPanel(const Panel &panel, bool hasData, const QString &emptyText)
{
    panel.empty->setText(hasData ? QString() : emptyText);
    panel.stack->setCurrentIndex(hasData ? 0 : 1);
}

QStringList OverviewCharts::emptyMessages() const
{
    QStringList messages;
    for (const Panel *panel : {&m_labelsPanel, &m_goldPanel, &m_kappaPanel, &m_curvePanel}) {
        if (panel->stack->currentIndex() == 1) {
            messages << panel->empty->text();
        }
    }
    return messages;
}

void OverviewCharts::showFigures(const annotation::OverviewFigures &figures)
{
    showLabels(figures);
    const int days = static_cast<int>(figures.firstDay.daysTo(figures.lastDay)) + 1;
    showPanel(m_goldPanel, showWeekly(m_goldChart, m_goldWeeks, m_goldAxis, figures, false),
              tr("No gold items answered in the last %1 days: mark approved images gold in the "
                 "Review view, and set the share of gold items above.")
                  .arg(days));
    showPanel(m_kappaPanel, showWeekly(m_kappaChart, m_kappaWeeks, m_kappaAxis, figures, true),
              tr("No reviewed labels in the last %1 days.").arg(days));
    std::vector<CurvePoint> points;
    for (const annotation::VersionAccuracy &model : figures.models) {
        points.push_back({model.images, model.heldOutAccuracy});
    }
    m_curve->showPoints(points);
    showPanel(m_curvePanel, !points.empty(),
              tr("No model trained on a dataset version yet: there is no held-out accuracy to "
                 "show."));
}

void OverviewCharts::showLabels(const annotation::OverviewFigures &figures)
{
    removeLinesBut(m_labelsChart, m_target);
    const QStringList annotators = figures.annotators();
    const int days = static_cast<int>(figures.firstDay.daysTo(figures.lastDay)) + 1;
    int highest = figures.dailyTarget;
    for (int a = 0; a < annotators.size(); ++a) {
        auto *line = addLine(m_labelsChart, annotators[a], QPen(overviewexport::seriesColor(a), 2),
                             m_days, m_labelCounts);
        for (int d = 0; d < days; ++d) {
            const QDate day = figures.firstDay.addDays(d);
            const int labels = figures.labelsOn(day, annotators[a]);
            highest = std::max(highest, labels);
            line->append(msecsOf(day), labels);
        }
    }
    m_target->replace({{msecsOf(figures.firstDay), static_cast<qreal>(figures.dailyTarget)},
                       {msecsOf(figures.lastDay), static_cast<qreal>(figures.dailyTarget)}});
    m_days->setRange(noonOf(figures.firstDay), noonOf(figures.lastDay));
    m_labelCounts->setRange(0, std::ceil(highest * 1.1) + 1);
    m_labelCounts->applyNiceNumbers();
    showPanel(m_labelsPanel, !annotators.isEmpty(), tr("No labels in the last %1 days.").arg(days));
}

bool OverviewCharts::showWeekly(QChart *chart, QBarCategoryAxis *weeks, QValueAxis *values,
                                const annotation::OverviewFigures &figures, bool kappa)
{
    removeLinesBut(chart, chart == m_goldChart ? m_goldAnchor : m_kappaAnchor);
    QStringList mondays;
    for (QDate monday = figures.firstDay.addDays(1 - figures.firstDay.dayOfWeek());
         monday <= figures.lastDay; monday = monday.addDays(7)) {
        mondays << monday.toString(QStringLiteral("MM-dd"));
    }
    weeks->setCategories(mondays);
    QStringList annotators;
    for (const annotation::WeeklyQuality &week : figures.quality) {
        if (!annotators.contains(week.annotator)) {
            annotators << week.annotator;
        }
    }
    annotators.sort();
    const QStringList everyone = figures.annotators();
    double lowest = 0;
    bool any = false;
    for (const QString &annotator : annotators) {
        // The same colour as in the labels chart when they labelled in the span.
        const auto index = everyone.contains(annotator)
                               ? everyone.indexOf(annotator)
                               : everyone.size() + annotators.indexOf(annotator);
        auto *line =
            addLine(chart, annotator, QPen(overviewexport::seriesColor(static_cast<int>(index)), 2),
                    weeks, values);
        for (const annotation::WeeklyQuality &week : figures.quality) {
            if (week.annotator != annotator ||
                (kappa ? !week.kappa.has_value() : week.goldAccuracy < 0)) {
                continue;
            }
            const double value = kappa ? *week.kappa : week.goldAccuracy * 100;
            lowest = std::min(lowest, value);
            line->append(mondays.indexOf(week.week.toString(QStringLiteral("MM-dd"))), value);
            any = true;
        }
    }
    values->setRange(kappa ? std::min(0.0, std::floor(lowest * 10) / 10) : 0, kappa ? 1 : 100);
    return any;
}

} // namespace digitdesk::ui
