#include "tests/bench/learningcurvereport.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QPixmap>
#include <QSaveFile>
#include <QTextStream>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>

namespace digitdesk::bench {
namespace {

std::vector<const CurveRun *> runsOf(const std::vector<CurveRun> &runs, Policy policy)
{
    std::vector<const CurveRun *> of;
    for (const CurveRun &run : runs) {
        if (run.policy == policy) {
            of.push_back(&run);
        }
    }
    return of;
}

// The labels of a policy's seeds at a target: "1250 (1000-1500)", with how many seeds got
// there when not all did.
QString targetCell(const std::vector<const CurveRun *> &runs, double target)
{
    std::vector<int> reached;
    int lastLabels = 0;
    for (const CurveRun *run : runs) {
        const int labels = labelsToReach(*run, target);
        if (labels >= 0) {
            reached.push_back(labels);
        }
        if (!run->points.empty()) {
            lastLabels = std::max(lastLabels, run->points.back().labels);
        }
    }
    if (reached.empty()) {
        return QStringLiteral("not by %1").arg(lastLabels);
    }
    double sum = 0;
    for (int labels : reached) {
        sum += labels;
    }
    const auto [low, high] = std::minmax_element(reached.begin(), reached.end());
    QString cell = QStringLiteral("%1 (%2-%3)")
                       .arg(sum / static_cast<double>(reached.size()), 0, 'f', 0)
                       .arg(*low)
                       .arg(*high);
    if (reached.size() < runs.size()) {
        cell += QStringLiteral(" %1/%2 seeds").arg(reached.size()).arg(runs.size());
    }
    return cell;
}

// A policy's curve over its seeds, point by point (seeds stop at the same rounds).
struct Band
{
    std::vector<double> labels, mean, low, high;
};

Band bandOf(const std::vector<const CurveRun *> &runs)
{
    Band band;
    size_t points = std::numeric_limits<size_t>::max();
    for (const CurveRun *run : runs) {
        points = std::min(points, run->points.size());
    }
    for (size_t i = 0; !runs.empty() && i < points; ++i) {
        double labels = 0;
        double sum = 0;
        double low = 100;
        double high = 0;
        for (const CurveRun *run : runs) {
            const double accuracy = run->points[i].accuracy * 100;
            labels += run->points[i].labels;
            sum += accuracy;
            low = std::min(low, accuracy);
            high = std::max(high, accuracy);
        }
        const auto n = static_cast<double>(runs.size());
        band.labels.push_back(labels / n);
        band.mean.push_back(sum / n);
        band.low.push_back(low);
        band.high.push_back(high);
    }
    return band;
}

} // namespace

int labelsToReach(const CurveRun &run, double target)
{
    for (const CurvePoint &point : run.points) {
        if (point.accuracy >= target) {
            return point.labels;
        }
    }
    return -1;
}

void printTargets(const QString &title, const std::vector<CurveRun> &runs,
                  const std::vector<Policy> &policies, const std::vector<double> &targets)
{
    const bool noisy = std::any_of(runs.begin(), runs.end(),
                                   [](const CurveRun &run) { return run.wrongShare > 0; });
    std::printf("%s\n", qPrintable(title));
    std::printf("  %-16s", "policy");
    for (double target : targets) {
        std::printf(" %-26s", qPrintable(QStringLiteral("%1%").arg(target * 100)));
    }
    std::printf(" %s\n", noisy ? "gold answers, wrong answers (caught) per seed" : "gold answers");
    for (Policy policy : policies) {
        const std::vector<const CurveRun *> of = runsOf(runs, policy);
        if (of.empty()) {
            continue;
        }
        std::printf("  %-16s", qPrintable(nameOf(policy)));
        for (double target : targets) {
            std::printf(" %-26s", qPrintable(targetCell(of, target)));
        }
        int gold = 0;
        int wrong = 0;
        int caught = 0;
        for (const CurveRun *run : of) {
            gold += run->goldAnswers;
            wrong += run->wrongAnswers;
            caught += run->caught;
        }
        const int seeds = static_cast<int>(of.size());
        if (noisy) {
            std::printf(" %d, %d (%d)\n", gold / seeds, wrong / seeds, caught / seeds);
        } else {
            std::printf(" %d per seed\n", gold / seeds);
        }
    }
}

QString writeCurveCsv(const QString &path, const std::vector<CurveRun> &runs)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    }
    QTextStream out(&file);
    out << "policy,wrong_answers,seed,round,labels,training_images,accuracy\n";
    for (const CurveRun &run : runs) {
        for (size_t i = 0; i < run.points.size(); ++i) {
            const CurvePoint &point = run.points[i];
            out << keyOf(run.policy) << ',' << run.wrongShare << ',' << run.seed << ',' << i << ','
                << point.labels << ',' << point.trainingImages << ','
                << QString::number(point.accuracy, 'f', 4) << '\n';
        }
    }
    out.flush();
    if (!file.commit()) {
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    }
    return {};
}

QString writeCurveChart(const QString &path, const QString &title,
                        const std::vector<CurveRun> &runs, const std::vector<Policy> &policies,
                        const std::vector<double> &targets)
{
    static const QColor Colours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0x7f, 0x7f, 0x7f),
                                     QColor(0x94, 0x67, 0xbd), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x8c, 0x56, 0x4b)};
    auto *chart = new QChart;
    chart->setTitle(title);
    auto *xAxis = new QValueAxis;
    xAxis->setTitleText(QStringLiteral("labels"));
    xAxis->setLabelFormat(QStringLiteral("%d"));
    auto *yAxis = new QValueAxis;
    yAxis->setTitleText(QStringLiteral("held-out accuracy (%)"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    double minX = std::numeric_limits<double>::max();
    double maxX = 0;
    double minY = 100;
    size_t colour = 0;
    for (Policy policy : policies) {
        const Band band = bandOf(runsOf(runs, policy));
        if (band.labels.empty()) {
            continue;
        }
        const QColor line = Colours[colour++ % std::size(Colours)];
        auto *area = new QAreaSeries;
        auto *upper = new QLineSeries(area);
        auto *lower = new QLineSeries(area);
        auto *mean = new QLineSeries;
        for (size_t i = 0; i < band.labels.size(); ++i) {
            upper->append(band.labels[i], band.high[i]);
            lower->append(band.labels[i], band.low[i]);
            mean->append(band.labels[i], band.mean[i]);
            minY = std::min(minY, band.low[i]);
        }
        minX = std::min(minX, band.labels.front());
        maxX = std::max(maxX, band.labels.back());
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        QColor shade = line;
        shade.setAlpha(50);
        area->setBrush(shade);
        area->setPen(Qt::NoPen);
        mean->setName(nameOf(policy));
        mean->setPen(QPen(line, 2));
        for (QAbstractSeries *series :
             {static_cast<QAbstractSeries *>(area), static_cast<QAbstractSeries *>(mean)}) {
            chart->addSeries(series);
            series->attachAxis(xAxis);
            series->attachAxis(yAxis);
        }
    }
    if (maxX <= minX) {
        delete chart;
        return QStringLiteral("no curve to draw into %1").arg(path);
    }
    for (double target : targets) {
        auto *line = new QLineSeries;
        line->append(minX, target * 100);
        line->append(maxX, target * 100);
        line->setPen(QPen(Qt::darkGray, 1, Qt::DashLine));
        chart->addSeries(line);
        line->attachAxis(xAxis);
        line->attachAxis(yAxis);
    }
    for (QLegendMarker *marker : chart->legend()->markers()) {
        // Only the policies' lines are named; the bands and targets speak for themselves.
        marker->setVisible(!marker->series()->name().isEmpty());
    }
    xAxis->setRange(minX, maxX);
    // The targets are what the chart is read for: the axis starts 4 points below the lowest,
    // in whole percents, and the first rounds' lower accuracies fall below it.
    const double lowest =
        targets.empty() ? std::floor(minY) : std::floor(targets.front() * 100) - 4;
    yAxis->setRange(std::max(std::floor(minY), lowest), 100);
    yAxis->setTickCount(static_cast<int>(100 - std::max(std::floor(minY), lowest)) + 1);
    yAxis->setLabelFormat(QStringLiteral("%d"));
    chart->legend()->setAlignment(Qt::AlignBottom);

    QChartView view(chart); // owns the chart
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(1100, 700);
    if (!view.grab().save(path, "PNG")) {
        return QStringLiteral("cannot write %1").arg(path);
    }
    return {};
}

} // namespace digitdesk::bench
