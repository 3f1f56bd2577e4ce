// ServingMetrics: the text of GET /metrics as Prometheus and the dashboard read it, every series
// named by annotation/servingmetricnames.h, checked by `promtool check metrics` when it is
// installed (Debian's prometheus package).
#include "annotation/metricssnapshot.h"
#include "annotation/servingmetricnames.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/sloledger.h"

#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string_view>

using digitdesk::annotation::MetricsSnapshot;
using digitdesk::app::FailureReason;
using digitdesk::app::ServingMetrics;
using digitdesk::app::SloLedger;
using namespace std::chrono_literals;
namespace metric = digitdesk::annotation::metric;

namespace {

// Every family the endpoint exports whatever it has seen (the process collector's included).
const std::string_view Families[] = {metric::RequestSuccess,
                                     metric::RequestFailure,
                                     metric::InferenceCount,
                                     metric::ExecutionCount,
                                     metric::RequestDurationUs,
                                     metric::QueueDurationUs,
                                     metric::ComputeDurationUs,
                                     metric::PendingRequests,
                                     metric::RequestDuration,
                                     metric::BatchSize,
                                     metric::HttpRequests,
                                     metric::SloBadTotal,
                                     metric::SloRequests,
                                     metric::SloBadRequests,
                                     metric::SloObjective,
                                     metric::SloLatencyObjective,
                                     metric::ModelInfo,
                                     metric::ShadowShare,
                                     metric::CanaryShare,
                                     metric::ShadowAgreement,
                                     metric::ShadowCompared,
                                     metric::ShadowDropped,
                                     metric::CanaryStops,
                                     metric::ModelLoadFailures,
                                     metric::CaptureEnabled,
                                     metric::CaptureDecisions,
                                     metric::CaptureStored,
                                     metric::CaptureDropped,
                                     metric::CaptureFailed,
                                     metric::DecodingRequests,
                                     metric::DriftWindowAnswers,
                                     metric::DriftPsi,
                                     metric::OodShare,
                                     metric::LowConfidenceShare,
                                     metric::DriftThreshold,
                                     metric::DriftThresholdExceeded,
                                     metric::OpenConnections,
                                     metric::Uptime,
                                     metric::ProcessCpuSeconds,
                                     metric::ProcessResidentBytes,
                                     metric::ProcessVirtualBytes,
                                     metric::ProcessOpenFds,
                                     metric::ProcessMaxFds,
                                     metric::ProcessThreads,
                                     metric::ProcessStartTime};

// An endpoint that has answered a little: version 7 in production, 9 a candidate whose
// version string needs escaping.
QByteArray scrape()
{
    ServingMetrics metrics;
    SloLedger ledger;
    for (int i = 0; i < 3; ++i) {
        metrics.recordRequest(200, 3ms);
        metrics.recordSuccess("7", 3ms, 1ms, 2ms);
        ledger.record(false);
    }
    metrics.recordBatch("7", 2);
    metrics.recordBatch("7", 1);
    metrics.recordRequest(503, 1ms);
    metrics.recordFailure("7", FailureReason::Rejected, 1ms);
    ledger.record(true);
    metrics.recordRequest(200, 3s); // slower than the objective: bad
    metrics.recordSuccess("7", 3s, 1s, 2s);
    metrics.recordStatus(404);
    metrics.recordCaptured(2, 1, 0);
    metrics.recordCaptureDecisions({0, 3, 1});
    metrics.recordShadow("7", "9\"x\\", 10, 9);
    ServingMetrics::Live live;
    live.pending = 2;
    live.connections = 5;
    live.loaded = {{"7", "production", "CPU (2 threads)"}, {"9\"x\\", "candidate", "CPU"}};
    live.captureEnabled = true;
    live.decoding = 1;
    return QByteArray::fromStdString(metrics.render(live, ledger));
}

QString name(std::string_view family, std::string_view suffix = {})
{
    return metric::name(family, suffix);
}

} // namespace

class tst_ServingMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyLineParses();
    void everyFamilyIsDescribedOnce();
    void valuesSayWhatHappened();
    void histogramsAreCumulative();
    void promtoolAcceptsIt();
};

void tst_ServingMetrics::everyLineParses()
{
    const QByteArray text = scrape();
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(text);
    QCOMPARE(snapshot.malformedLines(), 0);
    QVERIFY(text.endsWith('\n'));
    QVERIFY(!text.contains("\n\n"));
    for (const QByteArray &line : text.split('\n')) {
        QVERIFY2(!line.endsWith(" nan") && !line.endsWith(" inf"), line.constData());
    }
}

void tst_ServingMetrics::everyFamilyIsDescribedOnce()
{
    const QByteArray text = scrape();
    QSet<QString> helped;
    QSet<QString> typed;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> words = line.split(' ');
        if (line.startsWith("# HELP ")) {
            QVERIFY2(!helped.contains(QString::fromLatin1(words[2])), line.constData());
            helped << QString::fromLatin1(words[2]);
        } else if (line.startsWith("# TYPE ")) {
            QVERIFY2(!typed.contains(QString::fromLatin1(words[2])), line.constData());
            typed << QString::fromLatin1(words[2]);
            QVERIFY2(QSet<QByteArray>({"counter", "gauge", "histogram"}).contains(words[3]),
                     line.constData());
        } else if (!line.isEmpty()) {
            // A sample follows its family's TYPE line.
            QByteArray sample = line.left(line.indexOf(line.contains('{') ? '{' : ' '));
            for (const char *suffix : {"_bucket", "_sum", "_count"}) {
                const QByteArray base = sample.left(sample.size() - qsizetype(strlen(suffix)));
                if (sample.endsWith(suffix) && typed.contains(QString::fromLatin1(base))) {
                    sample = base;
                }
            }
            QVERIFY2(typed.contains(QString::fromLatin1(sample)), line.constData());
        }
    }
    QCOMPARE(helped, typed);
    for (const std::string_view family : Families) {
        QVERIFY2(typed.contains(name(family)), family.data());
    }
    QCOMPARE(typed.size(), qsizetype(std::size(Families)));
}

void tst_ServingMetrics::valuesSayWhatHappened()
{
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(scrape());
    const MetricsSnapshot::Labels seven{{QStringLiteral("model"), QStringLiteral("digits")},
                                        {QStringLiteral("version"), QStringLiteral("7")}};
    QCOMPARE(snapshot.value(name(metric::RequestSuccess), seven), 4.0);
    QCOMPARE(snapshot.value(name(metric::RequestFailure),
                            {{QStringLiteral("reason"), QStringLiteral("REJECTED")}}),
             1.0);
    QCOMPARE(snapshot.value(name(metric::InferenceCount), seven), 3.0);
    QCOMPARE(snapshot.value(name(metric::ExecutionCount), seven), 2.0);
    QCOMPARE(snapshot.value(name(metric::PendingRequests)), 2.0);
    QCOMPARE(snapshot.value(name(metric::RequestDuration, metric::CountSuffix)), 5.0);
    QCOMPARE(snapshot.value(name(metric::BatchSize, metric::SumSuffix)), 3.0);
    QCOMPARE(snapshot.value(name(metric::HttpRequests),
                            {{QStringLiteral("code"), QStringLiteral("404")}}),
             1.0);
    QCOMPARE(snapshot.value(name(metric::SloBadTotal)), 2.0); // the 503 and the slow answer
    QCOMPARE(snapshot.value(name(metric::SloRequests),
                            {{QStringLiteral("window"), QStringLiteral("5m")}}),
             4.0);
    QCOMPARE(snapshot.value(name(metric::SloBadRequests),
                            {{QStringLiteral("window"), QStringLiteral("30d")}}),
             1.0);
    QCOMPARE(snapshot.value(name(metric::SloObjective)),
             digitdesk::annotation::slo::AvailabilityObjective);
    QCOMPARE(snapshot.value(name(metric::SloLatencyObjective)), 2.0);
    QCOMPARE(snapshot.value(name(metric::CaptureStored)), 2.0);
    QCOMPARE(snapshot.value(name(metric::CaptureDropped)), 1.0);
    QCOMPARE(snapshot.value(name(metric::CaptureEnabled)), 1.0);
    QCOMPARE(snapshot.value(name(metric::CaptureDecisions),
                            {{QStringLiteral("decision"), QStringLiteral("low_confidence")}}),
             3.0);
    QCOMPARE(snapshot.value(name(metric::CaptureDecisions),
                            {{QStringLiteral("decision"), QStringLiteral("confident")}}),
             1.0);
    QCOMPARE(snapshot.value(name(metric::DecodingRequests)), 1.0);
    QCOMPARE(snapshot.value(name(metric::OpenConnections)), 5.0);
    // Label values are escaped, and read back as they were.
    const MetricsSnapshot::Labels candidate{{QStringLiteral("role"), QStringLiteral("candidate")}};
    QCOMPARE(snapshot.samples(name(metric::ModelInfo)).size(), size_t(2));
    QCOMPARE(snapshot.value(name(metric::ModelInfo),
                            {{QStringLiteral("version"), QStringLiteral("9\"x\\")}}),
             1.0);
    QCOMPARE(snapshot.value(name(metric::ShadowAgreement)), 0.9);
    QCOMPARE(snapshot.value(name(metric::ShadowCompared)), 10.0);
    QCOMPARE(snapshot.value(name(metric::ModelInfo), candidate), 1.0);
}

void tst_ServingMetrics::histogramsAreCumulative()
{
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(scrape());
    for (const std::string_view family : {metric::RequestDuration, metric::BatchSize}) {
        const auto buckets = snapshot.buckets(name(family));
        QVERIFY(buckets.size() > 2);
        QVERIFY(std::isinf(buckets.back().first));
        for (size_t i = 1; i < buckets.size(); ++i) {
            QVERIFY(buckets[i].first > buckets[i - 1].first);
            QVERIFY(buckets[i].second >= buckets[i - 1].second);
        }
        QCOMPARE(buckets.back().second, snapshot.value(name(family, metric::CountSuffix)));
    }
}

void tst_ServingMetrics::promtoolAcceptsIt()
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty()) {
        QSKIP("promtool is not installed (Debian package prometheus): the text was checked by "
              "the dashboard's parser only");
    }
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForStarted());
    check.write(scrape());
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30000));
    const QString said =
        QString::fromUtf8(check.readAllStandardOutput() + check.readAllStandardError());
    // 0: clean; 3: lint problems only. 1 would be text promtool cannot parse.
    QVERIFY2(check.exitCode() == 0 || check.exitCode() == 3, qPrintable(said));
    // The only lint complaints are about Triton's names, kept as Triton spells them
    // (nv_inference_count is a counter without _total) so its dashboards work unchanged.
    for (const QString &line : said.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QVERIFY2(line.startsWith(QStringLiteral("nv_inference_")), qPrintable(said));
    }
}

QTEST_GUILESS_MAIN(tst_ServingMetrics)
#include "tst_servingmetrics.moc"
