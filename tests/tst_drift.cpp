// Drift and out-of-distribution monitoring: the monitor's report on known counts and its
// permission, and the whole loop through a real endpoint (`digitdesk serve` answering held-out
// digits, then Fashion-MNIST, read back from /metrics and from `digitdesk drift`). The
// statistics themselves are in tst_driftstatistics.
#include "annotation/driftmonitor.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/servingpredictionrepository.h"
#include "storage/settingsrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <limits>

using namespace digitdesk;
using testing::CliRun;
using testing::HttpClient;
using testing::ServeProcess;

namespace {

const QString Fashion =
    QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");

// KServe v2 UINT8 [count, 784] of images first..first+count of an IDX array.
QByteArray inferBody(const annotation::IdxArray &images, int first, int count)
{
    QByteArray data;
    data.reserve(count * 784 * 4);
    for (qsizetype i = qsizetype(first) * 784; i < qsizetype(first + count) * 784; ++i) {
        if (!data.isEmpty()) {
            data += ',';
        }
        data += QByteArray::number(static_cast<unsigned char>(images.data[i]));
    }
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + QByteArray::number(count) +
           ",784],\"datatype\":\"UINT8\",\"data\":[" + data + "]}]}";
}

// The value of one sample of /metrics; NaN when the line is absent.
double sampleOf(const QByteArray &metrics, const QByteArray &series)
{
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith(series + ' ')) {
            return line.mid(series.size() + 1).toDouble();
        }
    }
    return std::numeric_limits<double>::quiet_NaN();
}

QJsonObject jsonOf(const CliRun &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8()).object();
}

} // namespace

class tst_Drift : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void monitorNeedsViewMonitoring_data();
    void monitorNeedsViewMonitoring();
    void reportOnKnownCounts();
    void reportSaysWhatItCannotKnow();
    void fashionRaisesTheOodShareAtTheEndpoint();
};

void tst_Drift::monitorNeedsViewMonitoring_data()
{
    QTest::addColumn<int>("role");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("annotator") << int(annotation::Role::Annotator) << false;
    QTest::newRow("reviewer") << int(annotation::Role::Reviewer) << false;
    QTest::newRow("ml_engineer") << int(annotation::Role::MlEngineer) << true;
    QTest::newRow("admin") << int(annotation::Role::Admin) << true;
}

void tst_Drift::monitorNeedsViewMonitoring()
{
    QFETCH(int, role);
    QFETCH(bool, allowed);
    testing::TempWorkspace temp;
    const annotation::Principal who = testing::addUser(*temp.workspace, QStringLiteral("someone"),
                                                       static_cast<annotation::Role>(role));
    const annotation::DriftMonitor monitor(temp.workspace->db());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool refused = testing::throws<annotation::PermissionDenied>(
        [&] { monitor.report(who, now.addSecs(-900), now); });
    QCOMPARE(refused, !allowed);
    const storage::AuditEntry last = storage::AuditLog(temp.workspace->db()).latest(1).at(0);
    if (!allowed) {
        QCOMPARE(last.action, QStringLiteral("view_monitoring"));
        QCOMPARE(last.outcome, QStringLiteral("denied"));
        QCOMPARE(last.actor, QStringLiteral("someone"));
    }
}

void tst_Drift::reportOnKnownCounts()
{
    testing::TempWorkspace temp;
    const QSqlDatabase db = temp.workspace->db();
    const annotation::Principal engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    storage::DatasetVersionRecord version;
    version.tag = QStringLiteral("v1");
    version.number = 1;
    version.commitId = QString(40, QLatin1Char('a'));
    version.author = QStringLiteral("eve");
    version.createdAt = QDateTime::currentDateTimeUtc();
    version.imageCount = 1007;
    version.histogram = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 7}; // 7 not digits
    storage::DatasetVersionRepository(db).insert(version);
    storage::ModelRepository models(db);
    storage::ModelRecord record;
    record.architecture = QStringLiteral("digitnet");
    record.filePath = QStringLiteral("models/fixture.pt");
    record.fileSha256 = QStringLiteral("fixture");
    record.sourceDigest = QStringLiteral("fixture");
    record.datasetCommit = version.commitId;
    record.metrics = QStringLiteral("{\"ood\":{\"score\":\"energy\",\"threshold\":-3.5}}");
    const qint64 modelId = models.addModel(record, engineer.actorRef());
    const qint64 otherId = models.addModel(record, engineer.actorRef());
    models.moveAlias(annotation::ProductionAlias, modelId, engineer.actorRef(),
                     QStringLiteral("test"));

    // 200 answers two minutes ago: 30 zeros, 10 ones, 20 of every other digit; 20 of them at
    // confidence 0.25-0.30 (under the 0.6 capture threshold), 30 flagged out of distribution.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 minute = now.toSecsSinceEpoch() / 60 - 2;
    std::vector<storage::ServingPredictionCount> counts;
    for (int label = 0; label < 10; ++label) {
        const qint64 answers = label == 0 ? 30 : label == 1 ? 10 : 20;
        // Label 2's confident answers come in two flushes: counts add up, never replace.
        counts.push_back(
            {minute, modelId, label, 19, false, answers - 2 - 3 - (label == 2 ? 5 : 0)});
        counts.push_back({minute, modelId, label, 5, false, 2});
        counts.push_back({minute, modelId, label, 19, true, 3});
    }
    counts.push_back({minute, otherId, 4, 10, false, 50});        // another model: left out
    counts.push_back({minute - 60, modelId, 4, 19, false, 1000}); // before the window
    storage::ServingPredictionRepository(db).add(counts);
    storage::ServingPredictionRepository(db).add({{minute, modelId, 2, 19, false, 5}});

    const annotation::DriftMonitor monitor(db);
    annotation::DriftReport report = monitor.report(engineer, now.addSecs(-15 * 60), now);
    QCOMPARE(report.modelId, modelId);
    QCOMPARE(report.answers, qint64(200));
    QCOMPARE(report.otherModelAnswers, qint64(50));
    QCOMPARE(report.served[0], qint64(30));
    QCOMPARE(report.served[1], qint64(10));
    QCOMPARE(report.served[2], qint64(20));
    QCOMPARE(report.served[9], qint64(20));
    QCOMPARE(report.trainingVersion, QStringLiteral("v1"));
    QCOMPARE(report.training[3], qint64(100));
    QVERIFY(std::abs(*report.psi.value - 0.0549306144334055) < 1e-9); // see the PSI table above
    // (10^2 + 10^2) / 20 = 10 on 9 degrees of freedom: p = Q(4.5, 5) = 0.35049.
    QVERIFY(std::abs(report.chiSquare->statistic - 10.0) < 1e-9);
    QCOMPARE(report.chiSquare->degreesOfFreedom, 9);
    QVERIFY(std::abs(report.chiSquare->pValue - 0.3504852) < 1e-6);
    QCOMPARE(report.confidenceHistogram[5], qint64(20));
    QCOMPARE(report.confidenceHistogram[19], qint64(180));
    QCOMPARE(report.lowConfidence, qint64(20));
    QCOMPARE(report.lowConfidenceBelow, 0.6);
    QCOMPARE(report.ood, qint64(30));
    QCOMPARE(*report.oodShare.value, 0.15);
    QCOMPARE(*report.oodThreshold, -3.5);
    QCOMPARE(report.bucketMinutes, 1);
    QCOMPARE(report.overTime.size(), size_t(16)); // the minutes that overlap the window
    qint64 inBuckets = 0;
    for (const annotation::DriftBucket &bucket : report.overTime) {
        inBuckets += bucket.answers;
        if (bucket.answers > 0) {
            QCOMPARE(bucket.start.toSecsSinceEpoch(), minute * 60);
            QCOMPARE(bucket.lowConfidence, qint64(20));
            QCOMPARE(bucket.oodShare(), 0.15);
        }
    }
    QCOMPARE(inBuckets, qint64(200));
    // Defaults: PSI 0.2 and an OOD share of 0.15, neither exceeded (0.15 is not above 0.15).
    QCOMPARE(report.psi.threshold, annotation::DefaultPsiThreshold);
    QVERIFY(!report.psi.crossed && !report.oodShare.crossed);
    QVERIFY(report.alerts().isEmpty());

    // Lower thresholds in the workspace's settings are crossed, and said so.
    storage::SettingsRepository settings(db);
    settings.setValue(QString::fromLatin1(annotation::PsiThresholdSetting), QStringLiteral("0.05"));
    settings.setValue(QString::fromLatin1(annotation::OodShareThresholdSetting),
                      QStringLiteral("0.1"));
    settings.setValue(QString::fromLatin1(annotation::LowConfidenceSetting), QStringLiteral("0.3"));
    report = monitor.report(engineer, now.addSecs(-15 * 60), now);
    QVERIFY(report.psi.crossed && report.oodShare.crossed);
    QCOMPARE(report.lowConfidence, qint64(20)); // 0.25-0.30 is under 0.3 too
    QCOMPARE(report.alerts().size(), 2);
    QVERIFY(report.alerts().at(1).contains(QStringLiteral("15.0% of the 200 images")));

    // A day in buckets of 24 minutes; five-minute buckets when asked for.
    report = monitor.report(engineer, now.addDays(-1), now);
    QCOMPARE(report.bucketMinutes, 24);
    QCOMPARE(report.answers, qint64(1200));
    report = monitor.report(engineer, now.addSecs(-15 * 60), now, 5);
    QCOMPARE(report.overTime.size(), size_t(4));
    storage::SettingsRepository(db).setValue(QString::fromLatin1(annotation::PsiThresholdSetting),
                                             QStringLiteral("0.01"));
    const auto minuteAlone = [&](qint64 which) {
        return monitor.report(engineer, QDateTime::fromSecsSinceEpoch(which * 60, Qt::UTC),
                              QDateTime::fromSecsSinceEpoch(which * 60 + 59, Qt::UTC));
    };
    report = minuteAlone(minute - 60);
    QCOMPARE(report.answers, qint64(1000));
    QVERIFY(report.psi.value && report.psi.crossed);
    // Fewer than 100 answers are not enough to call a threshold crossed.
    storage::ServingPredictionRepository(db).add({{minute - 30, modelId, 0, 19, true, 40}});
    report = minuteAlone(minute - 30);
    QCOMPARE(*report.oodShare.value, 1.0);
    QVERIFY(!report.enoughAnswers && !report.oodShare.crossed && report.alerts().isEmpty());
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { monitor.report(engineer, now, now.addSecs(-60)); }));
}

void tst_Drift::reportSaysWhatItCannotKnow()
{
    testing::TempWorkspace temp;
    const QSqlDatabase db = temp.workspace->db();
    const annotation::Principal engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const annotation::DriftMonitor monitor(db);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    annotation::DriftReport report = monitor.report(engineer, now.addSecs(-900), now);
    QCOMPARE(report.modelId, qint64(0));
    QCOMPARE(report.psi.unknownBecause, QStringLiteral("no model is production"));

    // An imported model: no dataset version, no out-of-distribution threshold.
    storage::ModelRecord record;
    record.architecture = QStringLiteral("torchscript");
    record.filePath = QStringLiteral("models/fixture.pt");
    record.fileSha256 = QStringLiteral("fixture");
    record.sourceDigest = QStringLiteral("fixture");
    const qint64 id = storage::ModelRepository(db).addModel(record, engineer.actorRef());
    storage::ModelRepository(db).moveAlias(annotation::ProductionAlias, id, engineer.actorRef(),
                                           QStringLiteral("test"));
    const qint64 minute = now.toSecsSinceEpoch() / 60;
    storage::ServingPredictionRepository(db).add({{minute, id, 7, 19, false, 500}});
    report = monitor.report(engineer, now.addSecs(-900), now);
    QCOMPARE(report.answers, qint64(500));
    QVERIFY(!report.psi.value && !report.chiSquare && !report.oodShare.value);
    QVERIFY2(report.psi.unknownBecause.contains(QStringLiteral("not trained on a dataset version")),
             qPrintable(report.psi.unknownBecause));
    QVERIFY2(
        report.oodShare.unknownBecause.contains(QStringLiteral("no out-of-distribution threshold")),
        qPrintable(report.oodShare.unknownBecause));
    QVERIFY(!report.psi.crossed && !report.oodShare.crossed);

    // The command line says the same.
    const CliRun run = testing::runDigitdeskOn(temp.folder(), "drift --since 1h");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("unknown: model %1 was not trained").arg(id)),
             qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("No threshold crossed.")));
    const CliRun wrong = testing::runDigitdeskOn(temp.folder(), "drift --since 15");
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.err.contains(QStringLiteral("--since takes a duration such as 15m")),
             qPrintable(wrong.err));
}

void tst_Drift::fashionRaisesTheOodShareAtTheEndpoint()
{
    const QString train = testing::demoDataFile(QStringLiteral("demo-train-images-idx3-ubyte"));
    const QString heldOut =
        testing::demoDataFile(QStringLiteral("demo-incoming-images-idx3-ubyte"));
    QVERIFY2(QFile::exists(train) && QFile::exists(heldOut), "run `make data` first");
    QVERIFY2(QFile::exists(Fashion), "install dataset-fashion-mnist (installer/deps-debian.sh)");
    testing::TempWorkspace temp;
    const QString ws = temp.folder();
    // A model that learnt from a dataset version: 8,000 digits, two epochs (about 6 s).
    CliRun run = testing::runDigitdeskOn(ws, "import --labels approved", {train});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = testing::runDigitdeskOn(ws, "dataset commit -m digits");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = testing::runDigitdeskOn(
        ws, "train --dataset v1 --epochs 2 --threads 2 --device cpu --json-progress");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const annotation::ModelRegistry registry(temp.workspace->db(), temp.workspace->root());
    const storage::ModelRecord model = registry.list().back();
    const std::optional<double> threshold = annotation::oodThresholdFromMetrics(model.metrics);
    QVERIFY2(threshold, qPrintable(model.metrics));
    QVERIFY2(model.metrics.contains(QStringLiteral("\"score\":\"energy\"")),
             qPrintable(model.metrics));
    testing::approveRelease(*temp.workspace, model.id);
    run = testing::runDigitdeskOn(ws, "models alias",
                                  {QString::number(model.id), QStringLiteral("production"),
                                   QStringLiteral("--reason"), QStringLiteral("drift test")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));

    ServeProcess serve(ServeProcess::Ending::Terminate);
    QVERIFY2(serve.start(ws), qPrintable(serve.log()));
    HttpClient client(QStringLiteral("127.0.0.1"), serve.port);
    const QJsonObject ood = QJsonDocument::fromJson(client.request("GET", "/v2/models/digits").body)
                                .object()
                                .value(QStringLiteral("ood"))
                                .toObject();
    QCOMPARE(ood.value(QStringLiteral("score")).toString(), QStringLiteral("energy"));
    QVERIFY(std::abs(ood.value(QStringLiteral("threshold")).toDouble() - *threshold) < 1e-4);

    const auto send = [&](const annotation::IdxArray &images) {
        for (int first = 0; first < 1000; first += 100) {
            if (client
                    .request("POST", "/v2/models/digits/infer", inferBody(images, first, 100),
                             "application/json")
                    .status != 200) {
                return false;
            }
        }
        return true;
    };
    const auto metrics = [&] {
        return client.request("GET", "/metrics").body;
    };
    const auto window = [&] {
        return sampleOf(metrics(), "digitdesk_drift_window_answers");
    };
    const QByteArray oodExceeded = "digitdesk_drift_threshold_exceeded{check=\"ood_share\"}";

    // Digits the model never saw: about 5% look strange, well under the 15% threshold.
    QVERIFY(send(annotation::readIdxFile(heldOut)));
    QTRY_COMPARE_WITH_TIMEOUT(window(), 1000.0, 20000); // at the writer's next flush
    QByteArray body = metrics();
    const double digitsShare = sampleOf(body, "digitdesk_ood_share");
    QVERIFY2(digitsShare < annotation::DefaultOodShareThreshold, body.constData());
    QCOMPARE(sampleOf(body, oodExceeded), 0.0);
    QVERIFY2(sampleOf(body, "digitdesk_drift_psi") < annotation::DefaultPsiThreshold,
             body.constData());
    run = testing::runDigitdeskOn(ws, "drift --json");
    QCOMPARE(run.exitCode, 0);
    QJsonObject report = jsonOf(run);
    QCOMPARE(report.value(QStringLiteral("answers")).toInt(), 1000);
    QVERIFY(!report.value(QStringLiteral("ood_share"))
                 .toObject()
                 .value(QStringLiteral("crossed"))
                 .toBool());
    QVERIFY(report.value(QStringLiteral("alerts")).toArray().isEmpty());

    // Clothes: a large share looks unlike any digit, and the threshold is crossed.
    QVERIFY(send(annotation::readIdxFile(Fashion)));
    QTRY_COMPARE_WITH_TIMEOUT(window(), 2000.0, 20000);
    body = metrics();
    const double mixedShare = sampleOf(body, "digitdesk_ood_share");
    QVERIFY2(mixedShare > annotation::DefaultOodShareThreshold, body.constData());
    QCOMPARE(sampleOf(body, oodExceeded), 1.0);
    // Clothes are not answered as digits are: which digits come out shifts too.
    QCOMPARE(sampleOf(body, "digitdesk_drift_threshold_exceeded{check=\"psi\"}"), 1.0);
    qInfo("OOD share: held-out digits %.3f, with Fashion-MNIST %.3f; PSI %.3f", digitsShare,
          mixedShare, sampleOf(body, "digitdesk_drift_psi"));
    run = testing::runDigitdeskOn(ws, "drift --since 1h");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("OUT OF DISTRIBUTION: ")), qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("DRIFT: ")));
    QVERIFY(run.out.contains(QStringLiteral("answers              2000 image(s)")));
    report = jsonOf(testing::runDigitdeskOn(ws, "drift --json --since 15m"));
    QVERIFY(report.value(QStringLiteral("ood_share"))
                .toObject()
                .value(QStringLiteral("crossed"))
                .toBool());

    // /v1/predict says of each image whether it looked out of distribution, and why.
    const QJsonObject single =
        QJsonDocument::fromJson(
            client
                .request("POST", "/v1/predict",
                         testing::encodeRing(QStringLiteral(".png"), 64, 64, 32, 32, 20, true),
                         "image/png")
                .body)
            .object();
    QVERIFY(single.value(QStringLiteral("ood_score")).isDouble());
    QCOMPARE(single.value(QStringLiteral("out_of_distribution")).toBool(),
             single.value(QStringLiteral("ood_score")).toDouble() > *threshold);

    // What Prometheus scrapes stays valid exposition text.
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty()) {
        qInfo("promtool is not installed (Debian package prometheus): exposition not checked");
        return;
    }
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    check.write(body);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30000));
    const QString said =
        QString::fromUtf8(check.readAllStandardOutput() + check.readAllStandardError());
    QVERIFY2(!said.contains(QStringLiteral("error")), qPrintable(said));
    // Triton's names (nv_inference_count, ..._duration_us) break promtool's naming advice on
    // purpose, so that Triton's dashboards work; every other name must pass it.
    for (const QString &line : said.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QVERIFY2(line.startsWith(QStringLiteral("nv_inference_")), qPrintable(line));
    }
}

QTEST_GUILESS_MAIN(tst_Drift)
#include "tst_drift.moc"
