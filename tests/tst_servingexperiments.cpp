// Two models at once on one endpoint: versioned KServe paths, shadow traffic that feeds the
// annotation queue, and a canary the endpoint stops by itself. `digitdesk serve` runs as a
// child process and is spoken to over real sockets.
#include "annotation/annotationservice.h"
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "annotation/servingexperiment.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"
#include "tests/support/servemodelsfixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/testdata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

using namespace digitdesk;
using namespace digitdesk::testing;

class tst_ServingExperiments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void versionedPathsAddressEachLoadedVersion();
    void shadowAnswersProductionAndQueuesEachDisagreementOnce();
    void canaryStopsWhenTheCandidateFails();
    void canaryStopsWhenTheCandidateIsSlow();
    void promotionDuringShadowAndCanaryFailsNoRequest();
    void settingsFromTheCommandLine();

private:
    void runCanary(qint64 candidate, const QString &expectedReason);

    testing::ServeModelsFixture m_models;
};

void tst_ServingExperiments::initTestCase()
{
    QVERIFY(m_models.setUp(testing::ServeModelsFixture::defaultModels()
                           << QStringLiteral("fails3.pt") << QStringLiteral("slow3.pt")));
}

void tst_ServingExperiments::init()
{
    m_models.setAlias(annotation::ProductionAlias, m_models.sure7);
    m_models.setAlias(annotation::CandidateAlias, m_models.sure3);
    annotation::ServingExperiment experiment(m_models.temp->workspace->db());
    experiment.setShadowShare(m_models.engineer, 0);
    experiment.setCanaryShare(m_models.engineer, 0);
    for (qint64 id : experiment.settings().pinned) {
        experiment.unpin(m_models.engineer, id);
    }
}

void tst_ServingExperiments::versionedPathsAddressEachLoadedVersion()
{
    annotation::ServingExperiment(m_models.temp->workspace->db())
        .pin(m_models.engineer, m_models.unsure);
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    const auto versions = [&] {
        return json(client.request("GET", "/v2/models/digits"))
            .value(QStringLiteral("versions"))
            .toArray()
            .toVariantList();
    };
    QTRY_COMPARE_WITH_TIMEOUT(versions().size(), 3, 20000);
    QCOMPARE(versions().at(0).toString(), QString::number(m_models.sure7)); // production first

    const QByteArray base = "/v2/models/digits/versions/";
    const QByteArray sure3 = QByteArray::number(m_models.sure3);
    const QByteArray body = tensorBody(1, 128);
    QCOMPARE(firstLabel(client.request("POST", "/v2/models/digits/infer", body)), 7);
    const HttpAnswer onCandidate = client.request("POST", base + sure3 + "/infer", body);
    QCOMPARE(onCandidate.status, 200);
    QCOMPARE(firstLabel(onCandidate), 3);
    QCOMPARE(json(onCandidate).value(QStringLiteral("model_version")).toString(),
             QString::fromLatin1(sure3));
    QCOMPARE(firstLabel(client.request(
                 "POST", base + QByteArray::number(m_models.unsure) + "/infer", body)),
             4);
    QCOMPARE(client.request("GET", base + sure3 + "/ready").status, 200);
    QCOMPARE(
        json(client.request("GET", base + sure3)).value(QStringLiteral("model_version")).toString(),
        QString::fromLatin1(sure3));

    // A version not loaded is refused with the loaded ones named, whatever the route.
    const QByteArray spare = QByteArray::number(m_models.spare);
    for (const QByteArray &path :
         {base + spare + "/infer", base + spare + "/ready", base + spare, base + "latest/infer"}) {
        // A refusal before the body is read closes the connection: one client each.
        HttpClient once(Loopback, serve.port);
        const HttpAnswer refused = once.request(path.endsWith("/infer") ? "POST" : "GET", path,
                                                path.endsWith("/infer") ? body : "");
        QCOMPARE(refused.status, 404);
        const QString error = json(refused).value(QStringLiteral("error")).toString();
        QVERIFY2(error.contains(QStringLiteral("is not loaded")) &&
                     error.contains(QStringLiteral("%1 (production)").arg(m_models.sure7)) &&
                     error.contains(QStringLiteral("%1 (candidate)").arg(m_models.sure3)) &&
                     error.contains(QStringLiteral("%1 (pinned)").arg(m_models.unsure)),
                 qPrintable(error));
    }

    // Triton's statistics extension, per version and for all.
    const QJsonArray one =
        json(client.request("GET", base + sure3 + "/stats")).value("model_stats").toArray();
    QCOMPARE(one.size(), 1);
    QCOMPARE(one.at(0).toObject().value("version").toString(), QString::fromLatin1(sure3));
    QCOMPARE(one.at(0).toObject().value("inference_count").toInt(), 1);
    QCOMPARE(one.at(0)
                 .toObject()
                 .value("inference_stats")
                 .toObject()
                 .value("success")
                 .toObject()
                 .value("count")
                 .toInt(),
             1);
    const QJsonArray all =
        json(client.request("GET", "/v2/models/digits/stats")).value("model_stats").toArray();
    QCOMPARE(all.size(), 3);

    // Per-version series, the loaded versions by role, and the process' own figures.
    QCOMPARE(firstMetric(client, "nv_inference_request_success{model=\"digits\",version=\"" +
                                     sure3 + "\"}"),
             1.0);
    QCOMPARE(firstMetric(client, "nv_inference_request_success{model=\"digits\",version=\"" +
                                     QByteArray::number(m_models.sure7) + "\"}"),
             1.0);
    QCOMPARE(
        firstMetric(client, "digitdesk_model_info{version=\"" + sure3 + "\",role=\"candidate\""),
        1.0);
    QVERIFY(firstMetric(client, "process_cpu_seconds_total") > 0);
    QVERIFY(firstMetric(client, "process_resident_memory_bytes") > 10e6);
    QVERIFY(firstMetric(client, "process_open_fds") >= 3);
    QVERIFY(firstMetric(client, "process_start_time_seconds") >
            static_cast<double>(QDateTime::currentSecsSinceEpoch() - 600));
}

void tst_ServingExperiments::shadowAnswersProductionAndQueuesEachDisagreementOnce()
{
    annotation::ServingExperiment(m_models.temp->workspace->db())
        .setShadowShare(m_models.engineer, 1.0);
    const qint64 imagesBefore = m_models.count(QStringLiteral("SELECT COUNT(*) FROM images"));
    ServeProcess serve(ServeProcess::Ending::Terminate);
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    QTRY_COMPARE_WITH_TIMEOUT(
        json(client.request("GET", "/v2/models/digits")).value("versions").toArray().size(), 2,
        20000);
    // The candidate answers 3 to everything, production 7: every image is a disagreement, and
    // every client still gets 7 from production.
    constexpr int Images = 12;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < Images; ++i) {
            const HttpAnswer answer =
                client.request("POST", "/v2/models/digits/infer", tensorBody(1, 20 + i));
            QCOMPARE(answer.status, 200);
            QCOMPARE(firstLabel(answer), 7);
            QCOMPARE(json(answer).value("model_version").toString(),
                     QString::number(m_models.sure7));
        }
    }
    const QByteArray compared = "digitdesk_shadow_compared_total{production=\"" +
                                QByteArray::number(m_models.sure7) + "\",candidate=\"" +
                                QByteArray::number(m_models.sure3) + "\"}";
    QTRY_COMPARE_WITH_TIMEOUT(firstMetric(client, compared), 2.0 * Images, 20000);
    QCOMPARE(firstMetric(client, "digitdesk_shadow_agreement_ratio{"), 0.0);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_models.count(QStringLiteral("SELECT COUNT(*) FROM model_disagreements")), qint64(Images),
        20000);
    serve.terminate();
    QVERIFY(serve.waitForExit(30000));
    // Once per image, however often it was seen; each an incoming item at the queue's front.
    QCOMPARE(m_models.count(QStringLiteral("SELECT COUNT(*) FROM model_disagreements")),
             qint64(Images));
    QCOMPARE(m_models.count(QStringLiteral("SELECT COUNT(*) FROM images")), imagesBefore + Images);
    QCOMPARE(m_models.count(QStringLiteral("SELECT SUM(count) FROM shadow_agreement WHERE"
                                           " production_label = 7 AND candidate_label = 3")),
             qint64(2 * Images));
    const annotation::Principal annotator = testing::addUser(
        *m_models.temp->workspace, QStringLiteral("ann"), annotation::Role::Annotator);
    const auto item = annotation::AnnotationService(m_models.temp->workspace->db()).next(annotator);
    QVERIFY(item);
    QVERIFY2(item->modelsDisagree.contains(QStringLiteral("said 7")) &&
                 item->modelsDisagree.contains(QStringLiteral("said 3")),
             qPrintable(item->modelsDisagree));
}

void tst_ServingExperiments::runCanary(qint64 candidate, const QString &expectedReason)
{
    m_models.setAlias(annotation::CandidateAlias, candidate);
    storage::SettingsRepository settings(m_models.temp->workspace->db());
    settings.setValue(QString::fromLatin1(annotation::CanaryMinRequestsSetting),
                      QStringLiteral("10"));
    annotation::ServingExperiment(m_models.temp->workspace->db())
        .setCanaryShare(m_models.engineer, 0.5);
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    QTRY_COMPARE_WITH_TIMEOUT(
        json(client.request("GET", "/v2/models/digits")).value("versions").toArray().size(), 2,
        20000);
    const QByteArray fullInk = tensorBody(1, 255);
    int onCandidate = 0;
    for (int i = 0; i < 200 && firstMetric(client, "digitdesk_canary_stops_total") < 1; ++i) {
        const HttpAnswer answer = client.request("POST", "/v2/models/digits/infer", fullInk);
        onCandidate += answer.status != 200 || firstLabel(answer) == 3 ? 1 : 0;
    }
    QCOMPARE(firstMetric(client, "digitdesk_canary_stops_total"), 1.0);
    QVERIFY2(onCandidate >= 10, qPrintable(QString::number(onCandidate)));
    QVERIFY(serve.waitForLog(QStringLiteral("canary of model %1 stopped").arg(candidate), 10000));
    // Stopped: production answers everything, and the workspace says why.
    for (int i = 0; i < 20; ++i) {
        const HttpAnswer answer = client.request("POST", "/v2/models/digits/infer", fullInk);
        QCOMPARE(answer.status, 200);
        QCOMPARE(firstLabel(answer), 7);
    }
    annotation::ServingExperiment experiment(m_models.temp->workspace->db());
    QTRY_VERIFY_WITH_TIMEOUT(experiment.lastCanaryStop().has_value(), 10000);
    QCOMPARE(experiment.settings().canaryShare, 0.0);
    QCOMPARE(experiment.lastCanaryStop()->candidateId, candidate);
    QVERIFY2(experiment.lastCanaryStop()->reason.contains(expectedReason),
             qPrintable(experiment.lastCanaryStop()->reason));
    QCOMPARE(firstMetric(client, "digitdesk_canary_share"), 0.0);
}

void tst_ServingExperiments::canaryStopsWhenTheCandidateFails()
{
    runCanary(m_models.fails3, QStringLiteral("error rate"));
}

void tst_ServingExperiments::canaryStopsWhenTheCandidateIsSlow()
{
    runCanary(m_models.slow3, QStringLiteral("p99 latency"));
}

void tst_ServingExperiments::promotionDuringShadowAndCanaryFailsNoRequest()
{
    annotation::ServingExperiment experiment(m_models.temp->workspace->db());
    experiment.setShadowShare(m_models.engineer, 1.0);
    experiment.setCanaryShare(m_models.engineer, 0.3);
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    {
        HttpClient client(Loopback, serve.port);
        QTRY_COMPARE_WITH_TIMEOUT(
            json(client.request("GET", "/v2/models/digits")).value("versions").toArray().size(), 2,
            20000);
    }
    std::mutex mutex;
    std::vector<std::pair<int, int>> seen; // status, label
    std::atomic<bool> running{true};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
        clients.emplace_back([&, c] {
            HttpClient client(Loopback, serve.port);
            int i = 0;
            while (running) {
                const HttpAnswer answer = client.request("POST", "/v2/models/digits/infer",
                                                         tensorBody(1, (c * 50 + i++) % 250));
                const std::lock_guard lock(mutex);
                seen.emplace_back(answer.status, firstLabel(answer));
            }
        });
    }
    const auto answered = [&](int label) {
        const std::lock_guard lock(mutex);
        return std::count_if(seen.begin(), seen.end(),
                             [label](const auto &one) { return one.second == label; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(answered(3) > 20 && answered(7) > 20, 20000); // the canary runs
    annotation::ModelRegistry(m_models.temp->workspace->db(), m_models.temp->workspace->root())
        .promote(m_models.engineer, m_models.sure3, QStringLiteral("the canary looked fine"));
    QCOMPARE(experiment.settings().canaryShare, 0.0); // promoting ends the canary
    size_t promotedAt = 0;
    {
        const std::lock_guard lock(mutex);
        promotedAt = seen.size();
    }
    const auto onlyThreesSince = [&](size_t from) {
        const std::lock_guard lock(mutex);
        return seen.size() > from + 50 &&
               std::all_of(seen.end() - 50, seen.end(),
                           [](const auto &one) { return one.second == 3; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(onlyThreesSince(promotedAt), 20000);
    running = false;
    for (std::thread &client : clients) {
        client.join();
    }
    const auto failed =
        std::count_if(seen.begin(), seen.end(), [](const auto &one) { return one.first != 200; });
    QVERIFY2(failed == 0,
             qPrintable(QStringLiteral("%1 of %2 requests failed").arg(failed).arg(seen.size())));
    m_models.setAlias(annotation::ProductionAlias, m_models.sure7);
}

void tst_ServingExperiments::settingsFromTheCommandLine()
{
    const QString folder = m_models.folder();
    const auto run = [&](const QStringList &arguments) {
        return testing::runDigitdesk(arguments +
                                     QStringList{QStringLiteral("--workspace"), folder});
    };
    QCOMPARE(run({QStringLiteral("settings"), QStringLiteral("set"),
                  QString::fromLatin1(annotation::ShadowShareSetting), QStringLiteral("0.25")})
                 .exitCode,
             0);
    QCOMPARE(
        run({QStringLiteral("models"), QStringLiteral("pin"), QString::number(m_models.unsure)})
            .exitCode,
        0);
    const testing::CliRun refused =
        run({QStringLiteral("settings"), QStringLiteral("set"),
             QString::fromLatin1(annotation::CanaryShareSetting), QStringLiteral("1.5")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("from 0 to 1")), qPrintable(refused.err));
    const annotation::ExperimentSettings settings =
        annotation::ServingExperiment(m_models.temp->workspace->db()).settings();
    QCOMPARE(settings.shadowShare, 0.25);
    QCOMPARE(settings.pinned, std::vector<qint64>{m_models.unsure});
    const testing::CliRun show = run({QStringLiteral("models"), QStringLiteral("list")});
    QVERIFY2(show.out.contains(QStringLiteral("pinned")), qPrintable(show.out));
}

QTEST_GUILESS_MAIN(tst_ServingExperiments)
#include "tst_servingexperiments.moc"
