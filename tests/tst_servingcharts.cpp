#include "annotation/modelregistry.h"
#include "annotation/servingcontrol.h"
#include "storage/auditlog.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"
#include "ui/mainwindow.h"
#include "ui/servingprocess.h"
#include "ui/servingview.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QValueAxis>

#include <functional>

using namespace digitdesk;
using annotation::Role;

namespace {

// What the endpoint's /metrics says after some traffic, the figures the view reads.
struct Traffic
{
    double requests = 0;
    double bad = 0; // 5xx or slower than 2 s
    double succeeded = 0;
    double rejected = 0;
    double other = 0;
    double cpuSeconds = -1; // the process_* series; left out while negative
    double residentBytes = -1;
};

annotation::MetricsSnapshot metrics(const Traffic &traffic)
{
    QByteArray text;
    const auto line = [&text](const char *sample, double value) {
        text += QByteArray(sample) + ' ' + QByteArray::number(value, 'g', 17) + '\n';
    };
    line("digitdesk_request_duration_seconds_bucket{le=\"0.01\"}", traffic.requests);
    line("digitdesk_request_duration_seconds_bucket{le=\"+Inf\"}", traffic.requests);
    line("digitdesk_request_duration_seconds_count", traffic.requests);
    line("digitdesk_slo_bad_total", traffic.bad);
    line("digitdesk_uptime_seconds", 100);
    line("nv_inference_request_success{model=\"digits\"}", traffic.succeeded);
    line("nv_inference_request_failure{model=\"digits\",reason=\"REJECTED\"}", traffic.rejected);
    line("nv_inference_request_failure{model=\"digits\",reason=\"BACKEND\"}", 0);
    line("nv_inference_request_failure{model=\"digits\",reason=\"OTHER\"}", traffic.other);
    if (traffic.cpuSeconds >= 0) {
        line("process_cpu_seconds_total", traffic.cpuSeconds);
        line("process_resident_memory_bytes", traffic.residentBytes);
    }
    return annotation::MetricsSnapshot::parse(text);
}

const QDateTime T0(QDate(2026, 3, 3), QTime(10, 0), Qt::UTC);

void scrape(ui::ServingView &view, qint64 secondsAfterT0, const Traffic &traffic)
{
    Q_EMIT view.servingProcess()->scraped(T0.addSecs(secondsAfterT0), metrics(traffic));
}

// The labels a value axis draws, as Qt Charts formats them for fixed ticks.
QStringList axisLabels(const QValueAxis *axis)
{
    QStringList labels;
    const int ticks = axis->tickCount();
    const QByteArray format = axis->labelFormat().toLatin1();
    for (int i = 0; i < ticks; ++i) {
        const double value = axis->min() + i * (axis->max() - axis->min()) / (ticks - 1);
        labels << QString::asprintf(format.constData(), value);
    }
    return labels;
}

QValueAxis *valueAxisOf(const ui::ServingView &view, const QString &chartName)
{
    const auto *chart = view.findChild<QChartView *>(chartName)->chart();
    for (QAbstractAxis *axis : chart->axes(Qt::Vertical)) {
        if (auto *values = qobject_cast<QValueAxis *>(axis)) {
            return values;
        }
    }
    return nullptr;
}

QString labelText(const ui::ServingView &view, const QString &name)
{
    return view.findChild<QLabel *>(name)->text();
}

} // namespace

Q_DECLARE_METATYPE(Traffic)

// The serving view's charts and figures, fed scrapes of made-up traffic.
class tst_ServingCharts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void processChartShowsCpuAndMemory();
    void axisLabelsAreDistinct_data();
    void axisLabelsAreDistinct();
    void errorRateAndFailuresSayWhatTheyCount();
};

void tst_ServingCharts::processChartShowsCpuAndMemory()
{
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    Traffic before{10, 0, 10, 0, 0, 1.0, 100e6};
    Traffic after{20, 0, 20, 0, 0, 6.0, 150e6}; // 5 s of CPU in 10 s: half of two cores
    scrape(view, 0, before);
    scrape(view, 10, after);
    const auto *chart =
        view.findChild<QChartView *>(QStringLiteral("servingProcessChart"))->chart();
    QMap<QString, QPointF> last;
    for (QAbstractSeries *series : chart->series()) {
        const auto *line = qobject_cast<QLineSeries *>(series);
        QVERIFY(line != nullptr && line->count() > 0);
        last.insert(line->name(), line->at(line->count() - 1));
    }
    QCOMPARE(last.value(QStringLiteral("CPU")).y(), 0.5);
    QCOMPARE(last.value(QStringLiteral("memory")).y(), 150.0);
}

void tst_ServingCharts::axisLabelsAreDistinct_data()
{
    QTest::addColumn<QString>("chart");
    QTest::addColumn<Traffic>("traffic");
    QTest::addColumn<double>("highest"); // what the axis must reach
    const QString rate = QStringLiteral("servingLatencyChart");
    const QString errors = QStringLiteral("servingErrorChart");
    // Ten seconds apart, so the rate is requests / 10.
    QTest::newRow("no traffic") << rate << Traffic{} << 1.0;
    QTest::newRow("1 req/s: axis to 1.2") << rate << Traffic{10, 0, 10, 0, 0} << 1.2;
    QTest::newRow("3.3 req/s") << rate << Traffic{33, 0, 33, 0, 0} << 3.96;
    QTest::newRow("47 req/s") << rate << Traffic{470, 0, 470, 0, 0} << 56.4;
    QTest::newRow("1234.5 req/s") << rate << Traffic{12345, 0, 12345, 0, 0} << 1481.4;
    QTest::newRow("87654 req/s") << rate << Traffic{876540, 0, 876540, 0, 0} << 105184.8;
    QTest::newRow("no errors") << errors << Traffic{10, 0, 10, 0, 0} << 0.01;
    QTest::newRow("0.1% errors") << errors << Traffic{1000, 1, 999, 1, 0} << 0.12;
    QTest::newRow("all errors") << errors << Traffic{10, 10, 0, 10, 0} << 120.0;
}

void tst_ServingCharts::axisLabelsAreDistinct()
{
    QFETCH(QString, chart);
    QFETCH(Traffic, traffic);
    QFETCH(double, highest);
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    scrape(view, 0, {});
    scrape(view, 10, traffic);

    const QValueAxis *axis = valueAxisOf(view, chart);
    QVERIFY(axis != nullptr);
    QCOMPARE(axis->min(), 0.0);
    QVERIFY2(axis->max() >= highest * (1 - 1e-9), qPrintable(QString::number(axis->max())));
    QVERIFY2(axis->max() < highest * 2.5, qPrintable(QString::number(axis->max())));
    QCOMPARE(axis->tickType(), QValueAxis::TicksFixed);
    const QStringList labels = axisLabels(axis);
    QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
    QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
    for (const QString &label : labels) {
        QVERIFY2(label.size() <= 8, qPrintable(labels.join(QLatin1Char(' '))));
    }
}

void tst_ServingCharts::errorRateAndFailuresSayWhatTheyCount()
{
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    QVERIFY(labelText(view, QStringLiteral("sloErrorRateCaption"))
                .contains(QStringLiteral("last 60 s")));

    // Two bad inputs (400): failed requests, but not errors of the endpoint.
    scrape(view, 0, {});
    scrape(view, 10, {7, 0, 5, 0, 2});
    QCOMPARE(labelText(view, QStringLiteral("sloErrorRate")), QStringLiteral("0.00%"));
    QCOMPARE(labelText(view, QStringLiteral("sloErrorDetail")),
             QStringLiteral("0 of 7 requests answered 5xx or slower than 2 s"));
    QString counters = labelText(view, QStringLiteral("servingCounters"));
    QVERIFY2(counters.startsWith(QStringLiteral("Since start: 7 inference requests · 5 succeeded · "
                                                "2 failed (0 rejected with the queue full, 0 model "
                                                "errors, 2 other")),
             qPrintable(counters));
    QVERIFY2(counters.contains(
                 QStringLiteral("0 answered 5xx or slower than 2 s (what the error rate counts)")),
             qPrintable(counters));

    // A full queue answers 503: a failure and an error, in both figures.
    scrape(view, 20, {8, 1, 5, 1, 2});
    QCOMPARE(labelText(view, QStringLiteral("sloErrorRate")), QStringLiteral("12.50%"));
    QCOMPARE(labelText(view, QStringLiteral("sloErrorDetail")),
             QStringLiteral("1 of 8 requests answered 5xx or slower than 2 s"));
    counters = labelText(view, QStringLiteral("servingCounters"));
    QVERIFY2(counters.contains(QStringLiteral("3 failed (1 rejected with the queue full")),
             qPrintable(counters));
    QVERIFY2(counters.contains(QStringLiteral("1 answered 5xx or slower than 2 s")),
             qPrintable(counters));
}

QTEST_MAIN(tst_ServingCharts)
#include "tst_servingcharts.moc"
