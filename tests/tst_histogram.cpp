// Histogram: the endpoint's Prometheus histograms (latency, batch size), bucket by bucket, and
// the quantiles the dashboard reads back from their text.
#include "annotation/metricssnapshot.h"
#include "app/serve/histogram.h"
#include "ui/slotracker.h"

#include <QTest>

#include <limits>
#include <string>
#include <thread>
#include <vector>

using digitdesk::annotation::MetricsSnapshot;
using digitdesk::app::Histogram;
using digitdesk::ui::SloTracker;

namespace {

const std::vector<double> Bounds = {1, 2, 5};

std::string rendered(const Histogram &histogram)
{
    std::string out;
    histogram.render(out, "test_seconds", "A test histogram");
    return out;
}

// The cumulative counts of the rendered buckets, +Inf last.
QList<double> cumulative(const Histogram &histogram)
{
    QList<double> counts;
    const MetricsSnapshot snapshot =
        MetricsSnapshot::parse(QByteArray::fromStdString(rendered(histogram)));
    for (const auto &[bound, count] : snapshot.buckets(QStringLiteral("test_seconds"))) {
        counts << count;
    }
    return counts;
}

} // namespace

class tst_Histogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valueGoesIntoItsBucket_data();
    void valueGoesIntoItsBucket();
    void rendersTheExpositionFormat();
    void sumAndCountFollowTheObservations();
    void concurrentObservationsAreAllCounted();
    void quantilesFromTheRenderedText_data();
    void quantilesFromTheRenderedText();
};

void tst_Histogram::valueGoesIntoItsBucket_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QList<double>>("buckets"); // cumulative: le 1, 2, 5, +Inf

    QTest::newRow("below the first bound") << 0.5 << QList<double>{1, 1, 1, 1};
    QTest::newRow("negative") << -3.0 << QList<double>{1, 1, 1, 1};
    QTest::newRow("on a bound: that bucket") << 1.0 << QList<double>{1, 1, 1, 1};
    QTest::newRow("just above a bound") << 1.000001 << QList<double>{0, 1, 1, 1};
    QTest::newRow("on the last bound") << 5.0 << QList<double>{0, 0, 1, 1};
    QTest::newRow("above the last bound: +Inf") << 7.0 << QList<double>{0, 0, 0, 1};
    QTest::newRow("infinity") << std::numeric_limits<double>::infinity()
                              << QList<double>{0, 0, 0, 1};
}

void tst_Histogram::valueGoesIntoItsBucket()
{
    QFETCH(double, value);
    QFETCH(QList<double>, buckets);
    Histogram histogram(Bounds);
    histogram.observe(value);
    QCOMPARE(cumulative(histogram), buckets);
}

void tst_Histogram::rendersTheExpositionFormat()
{
    Histogram histogram({0.5, 1, 2.5});
    histogram.observe(0.25);
    histogram.observe(0.75);
    histogram.observe(9);
    QCOMPARE(QByteArray::fromStdString(rendered(histogram)),
             QByteArray("# HELP test_seconds A test histogram\n"
                        "# TYPE test_seconds histogram\n"
                        "test_seconds_bucket{le=\"0.5\"} 1\n"
                        "test_seconds_bucket{le=\"1\"} 2\n"
                        "test_seconds_bucket{le=\"2.5\"} 2\n"
                        "test_seconds_bucket{le=\"+Inf\"} 3\n"
                        "test_seconds_sum 10\n"
                        "test_seconds_count 3\n"));
}

void tst_Histogram::sumAndCountFollowTheObservations()
{
    Histogram histogram(Bounds);
    const MetricsSnapshot empty =
        MetricsSnapshot::parse(QByteArray::fromStdString(rendered(histogram)));
    QCOMPARE(empty.malformedLines(), 0);
    QCOMPARE(empty.value(QStringLiteral("test_seconds_count")), 0.0);
    QCOMPARE(empty.value(QStringLiteral("test_seconds_sum")), 0.0);
    for (double value : {0.5, 1.5, 3.0, 10.0}) {
        histogram.observe(value);
    }
    const MetricsSnapshot snapshot =
        MetricsSnapshot::parse(QByteArray::fromStdString(rendered(histogram)));
    QCOMPARE(snapshot.malformedLines(), 0);
    QCOMPARE(snapshot.value(QStringLiteral("test_seconds_count")), 4.0);
    QCOMPARE(snapshot.value(QStringLiteral("test_seconds_sum")), 15.0);
    QCOMPARE(snapshot.buckets(QStringLiteral("test_seconds")).back().second, 4.0);
}

void tst_Histogram::concurrentObservationsAreAllCounted()
{
    Histogram histogram(Bounds);
    constexpr int Threads = 4;
    constexpr int Each = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&histogram, t] {
            for (int i = 0; i < Each; ++i) {
                histogram.observe(t + 1); // 1, 2, 3, 4: integers add up exactly
            }
        });
    }
    for (std::thread &thread : threads) {
        thread.join();
    }
    QCOMPARE(cumulative(histogram), (QList<double>{Each, 2 * Each, 4 * Each, 4 * Each}));
    const MetricsSnapshot snapshot =
        MetricsSnapshot::parse(QByteArray::fromStdString(rendered(histogram)));
    QCOMPARE(snapshot.value(QStringLiteral("test_seconds_sum")), double(Each) * (1 + 2 + 3 + 4));
}

void tst_Histogram::quantilesFromTheRenderedText_data()
{
    QTest::addColumn<double>("q");
    QTest::addColumn<double>("expected");

    // 100 requests: 50 under 0.1 s, 40 more under 0.5 s, 8 more under 1 s, one under 2 s and
    // one under 5 s. A rank is interpolated inside the bucket it falls in.
    QTest::newRow("p50 at the first bound") << 0.5 << 0.1;
    QTest::newRow("p25 inside the first bucket") << 0.25 << 0.05;
    QTest::newRow("p90 at a bound") << 0.9 << 0.5;
    QTest::newRow("p95 inside (0.5, 1]") << 0.95 << 0.8125;
    QTest::newRow("p99 at the top of (1, 2]") << 0.99 << 2.0;
}

void tst_Histogram::quantilesFromTheRenderedText()
{
    QFETCH(double, q);
    QFETCH(double, expected);
    Histogram histogram({0.1, 0.5, 1, 2, 5});
    const std::vector<std::pair<double, int>> observations = {
        {0.05, 50}, {0.3, 40}, {0.8, 8}, {1.5, 1}, {3, 1}};
    for (const auto &[value, times] : observations) {
        for (int i = 0; i < times; ++i) {
            histogram.observe(value);
        }
    }
    const MetricsSnapshot snapshot =
        MetricsSnapshot::parse(QByteArray::fromStdString(rendered(histogram)));
    const double quantile =
        SloTracker::quantile(q, snapshot.buckets(QStringLiteral("test_seconds")));
    QVERIFY2(qAbs(quantile - expected) < 1e-9, qPrintable(QString::number(quantile)));
}

QTEST_APPLESS_MAIN(tst_Histogram)
#include "tst_histogram.moc"
