#include "annotation/metricssnapshot.h"
#include "ui/slotracker.h"

#include <QTest>

#include <cmath>
#include <limits>

using digitdesk::annotation::MetricsSnapshot;
using digitdesk::ui::SloTracker;
using digitdesk::ui::SloWindow;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

const QDateTime T0(QDate(2026, 3, 3), QTime(10, 0), Qt::UTC);

// The latency histogram (cumulative, bounds 0.1 0.5 1 2 5 +Inf), its count and the bad-request
// counter, as the endpoint exports them.
MetricsSnapshot scrape(const std::vector<double> &cumulative, double bad, double uptime = 100)
{
    static const char *const bounds[] = {"0.1", "0.5", "1", "2", "5", "+Inf"};
    QByteArray text = "# HELP digitdesk_request_duration_seconds Inference request duration.\n"
                      "# TYPE digitdesk_request_duration_seconds histogram\n";
    for (size_t i = 0; i < cumulative.size(); ++i) {
        text += "digitdesk_request_duration_seconds_bucket{endpoint=\"infer\",le=\"" +
                QByteArray(bounds[i]) + "\"} " + QByteArray::number(cumulative[i]) + '\n';
    }
    text += "digitdesk_request_duration_seconds_count{endpoint=\"infer\"} " +
            QByteArray::number(cumulative.back()) + '\n';
    text += "digitdesk_slo_bad_total " + QByteArray::number(bad) + '\n';
    text += "digitdesk_uptime_seconds " + QByteArray::number(uptime) + '\n';
    return MetricsSnapshot::parse(text);
}

std::vector<double> plus(const std::vector<double> &a, const std::vector<double> &b)
{
    std::vector<double> sum(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        sum[i] = a[i] + b[i];
    }
    return sum;
}

// 100 requests: 50 under 0.1 s, 40 more under 0.5 s, 8 more under 1 s, 1 under 2 s, 1 under 5 s.
const std::vector<std::pair<double, double>> Known = {{0.1, 50}, {0.5, 90}, {1, 98},
                                                      {2, 99},   {5, 100},  {Inf, 100}};

} // namespace

class tst_SloTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheExpositionFormat();
    void histogramBucketsAreSummedAndSorted();
    void quantileInterpolatesLikePrometheus_data();
    void quantileInterpolatesLikePrometheus();
    void quantileEdgeCases();
    void rateLatencyAndErrorsFromWindowDeltas();
    void slowRequestsMissTheLatencyObjective();
    void noTrafficIsNotZeroLatency();
    void availabilityBudgetAndBurnRates();
    void alerts_data();
    void alerts();
    void counterResetStartsTheWindowsOver();
    void historyKeepsTenMinutes();
    void aScrapeCutShortIsNotARestart();
};

void tst_SloTracker::parsesTheExpositionFormat()
{
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(
        "# HELP digitdesk_http_requests_total Requests by status code.\n"
        "# TYPE digitdesk_http_requests_total counter\n"
        "digitdesk_http_requests_total{code=\"200\"} 1027\n"
        "digitdesk_http_requests_total{code=\"503\"} 3 1700000000000\n"
        "\n"
        "digitdesk_uptime_seconds 12.5\r\n"
        "digitdesk_model_info{version=\"7\",device=\"CPU (2 threads)\"} 1\n"
        "odd{path=\"C:\\\\models\\\\a \\\"b\\\"\", note=\"two\\nlines\",} 2e3\n"
        "nv_inference_queue_duration_us NaN\n"
        "falling -Inf\n"
        "this is not a sample\n"
        "broken{label=\"unterminated} 1\n");
    QCOMPARE(snapshot.malformedLines(), 2);
    QCOMPARE(snapshot.value(QStringLiteral("digitdesk_http_requests_total")), 1030.0);
    QCOMPARE(snapshot.sum(QStringLiteral("digitdesk_http_requests_total")), 1030.0);
    QCOMPARE(snapshot.value(QStringLiteral("digitdesk_http_requests_total"),
                            {{QStringLiteral("code"), QStringLiteral("503")}}),
             3.0);
    QCOMPARE(snapshot.value(QStringLiteral("digitdesk_http_requests_total"),
                            {{QStringLiteral("code"), QStringLiteral("500")}}),
             0.0);
    QCOMPARE(snapshot.value(QStringLiteral("digitdesk_uptime_seconds")), 12.5);
    QCOMPARE(snapshot.value(QStringLiteral("absent")), 0.0);
    QVERIFY(!snapshot.contains(QStringLiteral("absent")));

    const auto info = snapshot.samples(QStringLiteral("digitdesk_model_info"));
    QCOMPARE(info.size(), 1u);
    QCOMPARE(info.front().labels.value(QStringLiteral("version")), QStringLiteral("7"));
    QCOMPARE(info.front().labels.value(QStringLiteral("device")),
             QStringLiteral("CPU (2 threads)"));
    // A label (device) the lookup does not name does not hide the sample.
    QCOMPARE(snapshot.value(QStringLiteral("digitdesk_model_info"),
                            {{QStringLiteral("version"), QStringLiteral("7")}}),
             1.0);

    const auto odd = snapshot.samples(QStringLiteral("odd"));
    QCOMPARE(odd.size(), 1u);
    QCOMPARE(odd.front().labels.value(QStringLiteral("path")),
             QStringLiteral("C:\\models\\a \"b\""));
    QCOMPARE(odd.front().labels.value(QStringLiteral("note")), QStringLiteral("two\nlines"));
    QCOMPARE(odd.front().value, 2000.0);
    QVERIFY(std::isnan(snapshot.value(QStringLiteral("nv_inference_queue_duration_us"))));
    QCOMPARE(snapshot.value(QStringLiteral("falling")), -Inf);
}

void tst_SloTracker::histogramBucketsAreSummedAndSorted()
{
    const MetricsSnapshot snapshot = MetricsSnapshot::parse("h_bucket{code=\"200\",le=\"0.1\"} 5\n"
                                                            "h_bucket{code=\"200\",le=\"+Inf\"} 9\n"
                                                            "h_bucket{code=\"200\",le=\"0.5\"} 8\n"
                                                            "h_bucket{code=\"503\",le=\"0.1\"} 1\n"
                                                            "h_bucket{code=\"503\",le=\"0.5\"} 1\n"
                                                            "h_bucket{code=\"503\",le=\"+Inf\"} 2\n"
                                                            "h_count 11\n");
    const std::vector<std::pair<double, double>> expected{{0.1, 6}, {0.5, 9}, {Inf, 11}};
    QCOMPARE(snapshot.buckets(QStringLiteral("h")), expected);
    QCOMPARE(snapshot.buckets(QStringLiteral("h_bucket")), expected);
    QVERIFY(snapshot.buckets(QStringLiteral("absent")).empty());
}

void tst_SloTracker::quantileInterpolatesLikePrometheus_data()
{
    QTest::addColumn<double>("q");
    QTest::addColumn<double>("expected");
    // rank = q * 100; inside the bucket it falls in, linear between the bucket's bounds.
    QTest::newRow("p25, first bucket from 0") << 0.25 << 0.05;
    QTest::newRow("p50, first bucket's top") << 0.50 << 0.1;
    QTest::newRow("p90, second bucket's top") << 0.90 << 0.5;
    QTest::newRow("p95: 0.5 + 0.5 * 5/8") << 0.95 << 0.8125;
    QTest::newRow("p99: 1 + 1 * 1/1") << 0.99 << 2.0;
    QTest::newRow("p99.5: 2 + 3 * 0.5/1") << 0.995 << 3.5;
    QTest::newRow("p100") << 1.0 << 5.0;
}

void tst_SloTracker::quantileInterpolatesLikePrometheus()
{
    QFETCH(double, q);
    QFETCH(double, expected);
    QCOMPARE(SloTracker::quantile(q, Known), expected);
}

void tst_SloTracker::quantileEdgeCases()
{
    // A rank in the +Inf bucket gives the highest finite bound.
    const std::vector<std::pair<double, double>> slow{{0.1, 10}, {2, 50}, {Inf, 100}};
    QCOMPARE(SloTracker::quantile(0.99, slow), 2.0);
    QCOMPARE(SloTracker::quantile(0.51, slow), 2.0);
    QVERIFY(std::isnan(SloTracker::quantile(0.5, {{0.1, 0}, {Inf, 0}})));
    QVERIFY(std::isnan(SloTracker::quantile(0.5, {{0.1, 3}, {1, 5}}))); // no +Inf bucket
    QVERIFY(std::isnan(SloTracker::quantile(0.5, {})));
    QCOMPARE(SloTracker::quantile(-0.1, Known), -Inf);
    QCOMPARE(SloTracker::quantile(1.1, Known), Inf);
}

void tst_SloTracker::rateLatencyAndErrorsFromWindowDeltas()
{
    SloTracker tracker;
    QVERIFY(!tracker.figures().hasData);
    const std::vector<double> before{900, 990, 1000, 1000, 1000, 1000};
    // Older than the 60 s window: it must not count.
    tracker.add(T0.addSecs(-30), scrape({0, 0, 0, 0, 0, 0}, 0, 10));
    tracker.add(T0, scrape(before, 0, 40));
    tracker.add(T0.addSecs(50), scrape(plus(before, {30, 50, 58, 59, 60, 60}), 1, 90));
    tracker.add(T0.addSecs(60), scrape(plus(before, {50, 90, 98, 99, 100, 100}), 2, 100));
    const auto &now = tracker.figures().now;
    QVERIFY(tracker.figures().hasData);
    QCOMPARE(now.rate, 4.0); // 40 requests between T0+50 s and T0+60 s
    QCOMPARE(now.p50, 0.1);
    QCOMPARE(now.p95, 0.8125);
    QCOMPARE(now.p99, 2.0);
    QVERIFY(tracker.figures().latencyObjectiveMet()); // 2 s is within "under 2 s or equal"
    QCOMPARE(now.errorRate, 0.02);                    // 2 bad of 100
    QCOMPARE(tracker.history().size(), 4u);
}

void tst_SloTracker::slowRequestsMissTheLatencyObjective()
{
    SloTracker tracker;
    const std::vector<double> before{10, 10, 10, 10, 10, 10};
    tracker.add(T0, scrape(before, 0));
    tracker.add(T0.addSecs(30), scrape(plus(before, {50, 60, 70, 80, 95, 100}), 5, 130));
    QCOMPARE(tracker.figures().now.p99, 5.0); // in the +Inf bucket: the highest finite bound
    QVERIFY(!tracker.figures().latencyObjectiveMet());
    QCOMPARE(tracker.figures().now.errorRate, 0.05);
}

void tst_SloTracker::noTrafficIsNotZeroLatency()
{
    SloTracker tracker;
    const std::vector<double> counts{5, 5, 5, 5, 5, 5};
    tracker.add(T0, scrape(counts, 1));
    tracker.add(T0.addSecs(1), scrape(counts, 1, 101));
    const auto &now = tracker.figures().now;
    QCOMPARE(now.rate, 0.0);
    QVERIFY(std::isnan(now.p50));
    QVERIFY(std::isnan(now.p99));
    QVERIFY(tracker.figures().latencyObjectiveMet());
    QCOMPARE(now.errorRate, 0.0);
}

void tst_SloTracker::availabilityBudgetAndBurnRates()
{
    SloTracker tracker;
    tracker.add(T0, MetricsSnapshot::parse("digitdesk_slo_requests{window=\"5m\"} 1000\n"
                                           "digitdesk_slo_bad_requests{window=\"5m\"} 2\n"
                                           "digitdesk_slo_requests{window=\"30m\"} 6000\n"
                                           "digitdesk_slo_bad_requests{window=\"30m\"} 3\n"
                                           "digitdesk_slo_requests{window=\"1h\"} 12000\n"
                                           "digitdesk_slo_bad_requests{window=\"1h\"} 18\n"
                                           "digitdesk_slo_requests{window=\"6h\"} 72000\n"
                                           "digitdesk_slo_bad_requests{window=\"6h\"} 36\n"
                                           "digitdesk_slo_requests{window=\"1d\"} 250000\n"
                                           "digitdesk_slo_bad_requests{window=\"1d\"} 25\n"
                                           "digitdesk_slo_requests{window=\"30d\"} 1000000\n"
                                           "digitdesk_slo_bad_requests{window=\"30d\"} 50\n"));
    const auto &figures = tracker.figures();
    QCOMPARE(figures.burn5m, 20.0);    // 2/1000 = 0.2% against 0.01%
    QCOMPARE(figures.burn30m, 5.0);    // 0.05%
    QCOMPARE(figures.burn1h, 15.0);    // 0.15%
    QCOMPARE(figures.burn6h, 5.0);     // 0.05%
    QCOMPARE(figures.budgetLeft, 0.5); // 50 bad of the 100 that 1,000,000 requests allow
    QCOMPARE(*figures.window1h.availability(), 0.9985);
    QCOMPARE(*figures.window1d.availability(), 0.9999);
    QCOMPARE(*figures.window30d.availability(), 0.99995);
    QVERIFY(figures.page);    // 1 h and 5 min both above 14.4
    QVERIFY(!figures.ticket); // 6 h and 30 min at 5, under 6

    QCOMPARE(SloTracker::budgetLeft({1000000, 150}), -0.5); // overspent by half
    QCOMPARE(SloTracker::budgetLeft({0, 0}), 1.0);
    QVERIFY(!SloWindow{}.availability().has_value()); // no traffic, not 0% or 100%
    QCOMPARE(SloWindow{}.burnRate(), 0.0);
    QCOMPARE(*SloWindow({10, 0}).availability(), 1.0);

    // Without the gauges (an older server, or none scraped yet): no traffic, full budget.
    SloTracker empty;
    empty.add(T0, MetricsSnapshot::parse("digitdesk_uptime_seconds 3\n"));
    QVERIFY(!empty.figures().window30d.availability().has_value());
    QCOMPARE(empty.figures().budgetLeft, 1.0);
    QVERIFY(!empty.figures().page);
}

void tst_SloTracker::alerts_data()
{
    QTest::addColumn<double>("burn1h");
    QTest::addColumn<double>("burn5m");
    QTest::addColumn<double>("burn6h");
    QTest::addColumn<double>("burn30m");
    QTest::addColumn<bool>("page");
    QTest::addColumn<bool>("ticket");
    QTest::newRow("quiet") << 1.0 << 1.0 << 1.0 << 1.0 << false << false;
    QTest::newRow("fast burn") << 15.0 << 20.0 << 3.0 << 3.0 << true << false;
    QTest::newRow("fast burn that has stopped") << 15.0 << 2.0 << 3.0 << 3.0 << false << false;
    QTest::newRow("a short spike") << 3.0 << 30.0 << 1.0 << 4.0 << false << false;
    QTest::newRow("slow burn") << 7.0 << 7.0 << 7.0 << 8.0 << false << true;
    QTest::newRow("slow burn that has stopped") << 2.0 << 1.0 << 7.0 << 5.0 << false << false;
    QTest::newRow("both") << 20.0 << 20.0 << 10.0 << 10.0 << true << true;
    QTest::newRow("exactly at the thresholds") << 14.4 << 14.4 << 6.0 << 6.0 << false << false;
}

void tst_SloTracker::alerts()
{
    QFETCH(double, burn1h);
    QFETCH(double, burn5m);
    QFETCH(double, burn6h);
    QFETCH(double, burn30m);
    QFETCH(bool, page);
    QFETCH(bool, ticket);
    QCOMPARE(SloTracker::pageAlert(burn1h, burn5m), page);
    QCOMPARE(SloTracker::ticketAlert(burn6h, burn30m), ticket);

    // The same through the gauges: 10,000 requests per window, bad = burn.
    QByteArray text;
    const std::pair<const char *, double> windows[] = {
        {"5m", burn5m}, {"30m", burn30m}, {"1h", burn1h}, {"6h", burn6h}};
    for (const auto &[window, burn] : windows) {
        text += QByteArray("digitdesk_slo_requests{window=\"") + window + "\"} 10000\n";
        text += QByteArray("digitdesk_slo_bad_requests{window=\"") + window + "\"} " +
                QByteArray::number(burn) + '\n';
    }
    SloTracker tracker;
    tracker.add(T0, MetricsSnapshot::parse(text));
    QCOMPARE(tracker.figures().page, page);
    QCOMPARE(tracker.figures().ticket, ticket);
}

void tst_SloTracker::counterResetStartsTheWindowsOver()
{
    SloTracker tracker;
    for (int i = 0; i <= 5; ++i) {
        const double n = 100 + 10 * i;
        tracker.add(T0.addSecs(i), scrape({n, n, n, n, n, n}, 1, 100 + i));
    }
    QCOMPARE(tracker.figures().now.rate, 10.0);
    // The server restarted: its counters start from zero again.
    tracker.add(T0.addSecs(6), scrape({3, 3, 3, 3, 3, 3}, 0, 1));
    QCOMPARE(tracker.figures().now.rate, 0.0);
    QVERIFY(std::isnan(tracker.figures().now.p99));
    QCOMPARE(tracker.figures().now.errorRate, 0.0);
    tracker.add(T0.addSecs(7), scrape({4, 6, 8, 8, 8, 8}, 0, 2));
    QCOMPARE(tracker.figures().now.rate, 5.0);
    // Only the 5 requests since the restart: rank 2.5 falls in (0.1, 0.5] holding 2 of them.
    QCOMPARE(tracker.figures().now.p50, 0.1 + 0.4 * 1.5 / 2);

    // A restart that already served more than before is caught by the uptime.
    SloTracker uptime;
    uptime.add(T0, scrape({5, 5, 5, 5, 5, 5}, 0, 100));
    uptime.add(T0.addSecs(1), scrape({50, 50, 50, 50, 50, 50}, 0, 1));
    QCOMPARE(uptime.figures().now.rate, 0.0);
    // The chart points are kept across the restart.
    QCOMPARE(tracker.history().size(), 8u);
    for (const auto &point : tracker.history()) {
        QVERIFY(point.rate >= 0);
    }
}

void tst_SloTracker::historyKeepsTenMinutes()
{
    SloTracker tracker;
    for (int i = 0; i < 700; ++i) {
        const double n = i;
        tracker.add(T0.addSecs(i), scrape({n, n, n, n, n, n}, 0, 10 + i));
    }
    QCOMPARE(tracker.history().size(), 601u);
    QCOMPARE(tracker.history().front().at, T0.addSecs(699 - 600));
    QCOMPARE(tracker.history().back().at, T0.addSecs(699));
    QCOMPARE(tracker.history().back().rate, 1.0);
    tracker.clear();
    QVERIFY(tracker.history().empty());
    QVERIFY(!tracker.figures().hasData);
}

void tst_SloTracker::aScrapeCutShortIsNotARestart()
{
    SloTracker tracker;
    for (int i = 0; i <= 5; ++i) {
        const double n = 100000 + 10 * i;
        tracker.add(T0.addSecs(i), scrape({n, n, n, n, n, n}, 1, 100 + i));
    }
    QCOMPARE(tracker.figures().now.rate, 10.0);
    // Half a body: the windows' gauges are read, the counters (missing) are not.
    tracker.add(T0.addSecs(6), MetricsSnapshot::parse("digitdesk_slo_requests{window=\"1h\"} 5\n"));
    QCOMPARE(tracker.figures().window1h.requests, 5.0);
    const double n = 100000 + 10 * 7;
    tracker.add(T0.addSecs(7), scrape({n, n, n, n, n, n}, 1, 107));
    QCOMPARE(tracker.figures().now.rate, 10.0); // not the 100,070 of the server's lifetime
}

QTEST_APPLESS_MAIN(tst_SloTracker)
#include "tst_slotracker.moc"
