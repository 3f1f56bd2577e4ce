// The serving endpoint's routes as clients meet them: every endpoint over loopback, clear errors
// for bad inputs, low-confidence capture and readiness.
// `digitdesk serve` runs as a child process on a free port and is spoken to over real sockets.
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "storage/connection.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"
#include "tests/support/servemodelsfixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

using namespace digitdesk;
using namespace digitdesk::testing;

class tst_ServeEndpoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_models.setUp()); }
    void everyEndpointOverLoopback();
    void badInputsGetClearErrors();
    void lowConfidenceRequestsAreCaptured();
    void readyOnlyOnceAModelIsLoaded();

private:
    ServeModelsFixture m_models;
};

void tst_ServeEndpoints::everyEndpointOverLoopback()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7), qPrintable(serve.log()));
    QVERIFY(serve.log().contains(QStringLiteral("device: CPU")));
    HttpClient client(Loopback, serve.port);
    QVERIFY(client.connected());

    QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
    QCOMPARE(client.request("GET", "/v2/health/ready").status, 200);
    const HttpAnswer server = client.request("GET", "/v2");
    QCOMPARE(json(server).value(QStringLiteral("name")).toString(), QStringLiteral("digitdesk"));
    const QJsonObject model = json(client.request("GET", "/v2/models/digits"));
    const QString version = QString::number(m_models.sure7);
    QCOMPARE(model.value(QStringLiteral("name")).toString(), QStringLiteral("digits"));
    QCOMPARE(model.value(QStringLiteral("model_version")).toString(), version);
    QVERIFY(model.value(QStringLiteral("device")).toString().startsWith(QStringLiteral("CPU")));
    QCOMPARE(model.value(QStringLiteral("inputs")).toArray().size(), 1);
    QCOMPARE(model.value(QStringLiteral("outputs")).toArray().size(), 2);

    // KServe v2: FP32 [N,1,28,28] nested, and UINT8 [N,784] flat; the id comes back.
    QByteArray nested = "{\"id\":\"abc-42\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],"
                        "\"datatype\":\"FP32\",\"data\":[[[";
    for (int row = 0; row < 28; ++row) {
        nested += row > 0 ? ",[" : "[";
        for (int col = 0; col < 28; ++col) {
            nested += col > 0 ? ",0.5" : "0.5";
        }
        nested += "]";
    }
    nested += "]]]}]}";
    const HttpAnswer fp32 =
        client.request("POST", "/v2/models/digits/infer", nested, "application/json");
    QCOMPARE(fp32.status, 200);
    QJsonObject answer = json(fp32);
    QCOMPARE(answer.value(QStringLiteral("id")).toString(), QStringLiteral("abc-42"));
    QCOMPARE(answer.value(QStringLiteral("model_version")).toString(), version);
    const QJsonArray outputs = answer.value(QStringLiteral("outputs")).toArray();
    QCOMPARE(outputs.at(0).toObject().value(QStringLiteral("data")).toArray().at(0).toInt(), 7);
    QCOMPARE(outputs.at(1).toObject().value(QStringLiteral("data")).toArray().size(), 10);

    const HttpAnswer uint8 =
        client.request("POST", "/v2/models/digits/infer", tensorBody(3), "application/json");
    QCOMPARE(uint8.status, 200);
    answer = json(uint8);
    QCOMPARE(answer.value(QStringLiteral("outputs"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("data")),
             QJsonValue(QJsonArray{7, 7, 7}));

    // Members in any order, unknown ones skipped, escapes in the id decoded and re-encoded.
    QByteArray reordered = tensorBody(1);
    const qsizetype dataAt = reordered.indexOf("\"data\"");
    const QByteArray data = reordered.mid(dataAt, reordered.indexOf(']', dataAt) - dataAt + 1);
    reordered = "{\"parameters\":{\"x\":[1,{\"y\":null}]},\"inputs\":[{" + data +
                ",\"datatype\":\"UINT8\",\"shape\":[1,784],\"name\":\"input\"}],"
                "\"id\":\"q\\\"\\u00e9\\ud83d\\ude00\"}";
    const HttpAnswer shuffled =
        client.request("POST", "/v2/models/digits/infer", reordered, "application/json");
    QVERIFY2(shuffled.status == 200, shuffled.body.constData());
    QCOMPARE(json(shuffled).value(QStringLiteral("id")).toString(),
             QStringLiteral("q\"\u00e9") + QString::fromUcs4(U"\U0001F600", 1));

    // /v1/predict: a raw PNG, a raw JPEG, and a JSON batch of base64 images.
    const QByteArray png = testing::encodeRing(QStringLiteral(".png"), 200, 160, 100, 80, 50, true);
    const HttpAnswer single = client.request("POST", "/v1/predict", png, "image/png");
    QCOMPARE(single.status, 200);
    answer = json(single);
    QCOMPARE(answer.value(QStringLiteral("label")).toInt(), 7);
    QCOMPARE(answer.value(QStringLiteral("model_version")).toString(), version);
    QCOMPARE(answer.value(QStringLiteral("probabilities")).toArray().size(), 10);
    QVERIFY(answer.value(QStringLiteral("confidence")).toDouble() > 0.99);
    const QByteArray jpeg = testing::encodeRing(QStringLiteral(".jpg"), 64, 64, 32, 32, 20, true);
    QCOMPARE(client.request("POST", "/v1/predict", jpeg, "image/jpeg").status, 200);
    const QByteArray batch =
        "{\"images\":[\"" + png.toBase64() + "\",\"" + jpeg.toBase64() + "\"]}";
    const HttpAnswer many = client.request("POST", "/v1/predict", batch, "application/json");
    QCOMPARE(many.status, 200);
    const QJsonArray predictions = json(many).value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), 2);
    QCOMPARE(predictions.at(1).toObject().value(QStringLiteral("model_version")).toString(),
             version);

    // Wrong paths and methods.
    QCOMPARE(client.request("GET", "/v2/models/digits/infer").status, 405);
    QCOMPARE(client.request("GET", "/nowhere").status, 404);
    QCOMPARE(client.request("GET", "/v2/models/letters").status, 404);

    // Prometheus text with Triton's names and real histograms.
    const HttpAnswer metrics = client.request("GET", "/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.header("Content-Type").startsWith("text/plain"));
    QCOMPARE(metric(client, "nv_inference_request_success{model=\"digits\",version=\"" +
                                version.toUtf8() + "\"}"),
             6.0);
    QCOMPARE(metric(client, "nv_inference_request_failure{reason=\"REJECTED\"}"), 0.0);
    QCOMPARE(metric(client, "nv_inference_request_failure{reason=\"OTHER\"}"), 1.0); // the GET
    QCOMPARE(metric(client, "nv_inference_count{version=\"" + version.toUtf8() + "\"}"), 9.0);
    for (const char *name :
         {"nv_inference_pending_request_count", "nv_inference_exec_count",
          "nv_inference_queue_duration_us", "nv_inference_compute_infer_duration_us",
          "digitdesk_request_duration_seconds_bucket{le=\"+Inf\"} 7",
          "digitdesk_request_duration_seconds_count 7", "digitdesk_batch_size_bucket",
          "digitdesk_uptime_seconds", "digitdesk_slo_requests{window=\"30d\"}"}) {
        QVERIFY2(metrics.body.contains(name),
                 qPrintable(QString::fromLatin1(name) + QLatin1Char('\n') +
                            QString::fromUtf8(metrics.body)));
    }
    QCOMPARE(m_models.servingImages(), 0); // a confident model captures nothing
}

void tst_ServeEndpoints::badInputsGetClearErrors()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7,
                            {QStringLiteral("--max-body-mb"), QStringLiteral("1")}),
             qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    const auto refused = [&](const QByteArray &path, const QByteArray &body, const QByteArray &type,
                             const QString &expected) {
        const HttpAnswer answer = client.request("POST", path, body, type);
        if (answer.status != 400 || !errorOf(answer).contains(expected)) {
            qWarning() << "answer" << answer.status << answer.body << "wanted" << expected;
            return false;
        }
        return true;
    };
    const QByteArray infer = "/v2/models/digits/infer";
    QVERIFY(refused("/v1/predict", {}, "image/png", QStringLiteral("body is empty")));
    QVERIFY(refused(infer, {}, "application/json", QStringLiteral("body is empty")));
    const QByteArray png = testing::encodeRing(QStringLiteral(".png"), 200, 160, 100, 80, 50, true);
    QVERIFY(refused("/v1/predict", png.left(png.size() / 2), "image/png",
                    QStringLiteral("not a usable PNG or JPEG")));
    QVERIFY(refused("/v1/predict", "hello, I am not an image", "image/png",
                    QStringLiteral("not a usable PNG or JPEG")));
    const QByteArray huge = testing::hugePng(20000, 20000);
    QVERIFY(huge.size() < (1 << 20));
    QVERIFY(refused("/v1/predict", huge, "image/png", QStringLiteral("20000")));
    QVERIFY(refused(infer, "{\"inputs\": [", "application/json", QStringLiteral("malformed JSON")));
    QVERIFY(refused(infer, "[1,2,3]", "application/json", QStringLiteral("must be an object")));
    QVERIFY(refused(infer, "{\"inputs\":[{\"data\":" + QByteArray(200, '[') + "]}]}",
                    "application/json", QStringLiteral("nested deeper than 64 levels")));
    QVERIFY(refused(infer, "{\"id\":\"\\ud800\"}", "application/json",
                    QStringLiteral("lone surrogate")));
    QVERIFY(refused(infer, "{\"inputs\":[{\"shape\":[1,784],\"data\":[01]}]}", "application/json",
                    QStringLiteral("malformed JSON")));
    QVERIFY(refused(infer, "{\"inputs\":[]}", "application/json",
                    QStringLiteral("exactly one tensor")));
    QVERIFY(refused(infer,
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,28,28],\"datatype\":\"FP32\","
                    "\"data\":[0]}]}",
                    "application/json", QStringLiteral("shape [1,28,28] is not")));
    QVERIFY(refused(infer,
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,784],\"datatype\":\"FP32\","
                    "\"data\":[0,0,0]}]}",
                    "application/json",
                    QStringLiteral("data holds 3 values; the shape needs 1568")));
    QVERIFY(refused(infer,
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"INT32\","
                    "\"data\":[0]}]}",
                    "application/json", QStringLiteral("datatype 'INT32' is not supported")));
    QByteArray outside = tensorBody(1);
    outside.replace("\"UINT8\"", "\"FP32\"");
    QVERIFY(refused(infer, outside, "application/json", QStringLiteral("outside 0..1")));
    QVERIFY(refused("/v1/predict", "{\"images\":[\"***\"]}", "application/json",
                    QStringLiteral("images[0] is not base64")));
    QVERIFY(refused("/v1/predict", "{\"images\":{}}", "application/json",
                    QStringLiteral("images must be a non-empty list")));

    // A body over the limit is refused without reading it, and the connection closed.
    const HttpAnswer tooLarge =
        client.request("POST", "/v1/predict", QByteArray(2 << 20, 'x'), "image/png");
    QCOMPARE(tooLarge.status, 413);
    QVERIFY(errorOf(tooLarge).contains(QStringLiteral("larger than the limit")));

    HttpClient after(Loopback, serve.port);
    QCOMPARE(after.request("GET", "/v2/health/live").status, 200);
    QCOMPARE(after.request("POST", infer, tensorBody(1), "application/json").status, 200);
    QVERIFY(metric(after, "nv_inference_request_failure{reason=\"OTHER\"}") >= 15);
}

void tst_ServeEndpoints::lowConfidenceRequestsAreCaptured()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.unsure), qPrintable(serve.log()));
    const qint64 before = m_models.servingImages();
    HttpClient client(Loopback, serve.port);
    for (int i = 0; i < 3; ++i) {
        const QByteArray png =
            testing::encodeRing(QStringLiteral(".png"), 120, 100, 60 + i * 4, 50, 30 + i * 3, true);
        const HttpAnswer answer = client.request("POST", "/v1/predict", png, "image/png");
        QCOMPARE(answer.status, 200);
        QVERIFY(json(answer).value(QStringLiteral("confidence")).toDouble() < 0.3);
    }
    QCOMPARE(
        client.request("POST", "/v2/models/digits/infer", tensorBody(1, 77), "application/json")
            .status,
        200);
    QTRY_COMPARE_WITH_TIMEOUT(m_models.servingImages(), before + 4, 10000);

    storage::SqlQuery query(
        m_models.temp->workspace->db(),
        QStringLiteral("SELECT i.status, i.original_sha256, p.model_id, p.label, i.queue_confidence"
                       " FROM images i JOIN predictions p ON p.image_id = i.id"
                       " WHERE i.source = 'serving' ORDER BY i.id"),
        QStringLiteral("read captured images"));
    query.exec();
    int rows = 0;
    int withOriginal = 0;
    while (query.next()) {
        ++rows;
        QCOMPARE(query.value(0).toString(), QStringLiteral("incoming"));
        withOriginal += query.value(1).toString().isEmpty() ? 0 : 1;
        QCOMPARE(query.value(2).toLongLong(), m_models.unsure);
        QCOMPARE(query.value(3).toInt(), 4);
        QVERIFY(query.value(4).toDouble() < 0.3); // queued by its confidence
    }
    QCOMPARE(rows, 4);
    QCOMPARE(withOriginal, 3);
    QVERIFY(metric(client, "digitdesk_capture_stored_total") == 4.0);

    // Switched off in the workspace's settings: the endpoint stops capturing without a restart.
    storage::SettingsRepository(m_models.temp->workspace->db())
        .setValue(QStringLiteral("serving.capture"), QStringLiteral("0"));
    QTRY_COMPARE(metric(client, "digitdesk_capture_enabled"), 0.0);
    const QByteArray disabled = "digitdesk_capture_decisions_total{decision=\"disabled\"}";
    const double disabledBefore = metric(client, disabled);
    const QByteArray another =
        testing::encodeRing(QStringLiteral(".png"), 90, 90, 45, 45, 33, true);
    QCOMPARE(client.request("POST", "/v1/predict", another, "image/png").status, 200);
    // The answer's capture decision is made: nothing was handed to the writer.
    QTRY_COMPARE(metric(client, disabled), disabledBefore + 1);
    QCOMPARE(metric(client, "digitdesk_capture_decisions_total{decision=\"low_confidence\"}"), 4.0);
    QCOMPARE(m_models.servingImages(), before + 4);
    storage::SettingsRepository(m_models.temp->workspace->db())
        .setValue(QStringLiteral("serving.capture"), QStringLiteral("1"));
}

void tst_ServeEndpoints::readyOnlyOnceAModelIsLoaded()
{
    testing::TempWorkspace empty;
    const annotation::Principal engineer =
        testing::addUser(*empty.workspace, QStringLiteral("ed"), annotation::Role::MlEngineer);
    ServeProcess serve;
    QVERIFY2(serve.start(empty.folder()), qPrintable(serve.log()));
    QVERIFY(serve.log().contains(QStringLiteral("not ready: no model is production yet")));
    HttpClient client(Loopback, serve.port);
    QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
    const HttpAnswer notReady = client.request("GET", "/v2/health/ready");
    QCOMPARE(notReady.status, 503);
    QVERIFY(errorOf(notReady).contains(QStringLiteral("no model is production yet")));
    const HttpAnswer refused =
        client.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json");
    QCOMPARE(refused.status, 503);
    QVERIFY(errorOf(refused).contains(QStringLiteral("no model is loaded")));

    const QString folder = empty.dir.path() + QStringLiteral("/models");
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_served_models.py")),
                               {folder}));
    annotation::ModelRegistry registry(empty.workspace->db(), empty.workspace->root());
    registry.setImportCheck(annotation::ModelImportCheck(QStringLiteral(DIGITDESK_BINARY)));
    const qint64 id =
        registry.importTorchScript(engineer, folder + QStringLiteral("/sure3.pt"), QString());
    testing::approveRelease(*empty.workspace, id);
    registry.moveAlias(engineer, annotation::ProductionAlias, id, QStringLiteral("first model"));
    QTRY_COMPARE_WITH_TIMEOUT(client.request("GET", "/v2/health/ready").status, 200, 5000);
    const HttpAnswer answer =
        client.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json");
    QCOMPARE(answer.status, 200);
    QCOMPARE(json(answer).value(QStringLiteral("model_version")).toString(), QString::number(id));
}

QTEST_GUILESS_MAIN(tst_ServeEndpoints)
#include "tst_serveendpoints.moc"
