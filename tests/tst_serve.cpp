// The serving endpoint, as clients and operators meet it: `digitdesk serve` runs as a child
// process on a free port and is spoken to over real sockets.
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "storage/connection.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/httpclient.h"
#include "tests/support/pngbytes.h"
#include "tests/support/servedmodels.h"
#include "tests/support/servefixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
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
using testing::HttpAnswer;
using testing::HttpClient;
using testing::ServeProcess;

namespace {

const QString Loopback = QStringLiteral("127.0.0.1");

QByteArray tensorBody(int count, int value = 128, const QByteArray &id = "req-1")
{
    QByteArray data;
    for (int i = 0; i < count * 784; ++i) {
        data += (i > 0 ? "," : "") + QByteArray::number(value);
    }
    return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"input\",\"shape\":[" +
           QByteArray::number(count) + ",784],\"datatype\":\"UINT8\",\"data\":[" + data + "]}]}";
}

QJsonObject json(const HttpAnswer &answer)
{
    return QJsonDocument::fromJson(answer.body).object();
}

QString errorOf(const HttpAnswer &answer)
{
    return json(answer).value(QStringLiteral("error")).toString();
}

// A PNG of width x height black pixels, deflated row by row: small on disk, huge once decoded.
QByteArray hugePng(int width, int height)
{
    return testing::uniformPng(width, height, QByteArray("\x08\x00", 2), width, '\0');
}

// The first IPv4 address of this machine that is not loopback; empty when it has none.
QString externalAddress()
{
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        return {};
    }
    QString found;
    for (ifaddrs *it = list; it != nullptr && found.isEmpty(); it = it->ifa_next) {
        if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) {
            continue;
        }
        char text[INET_ADDRSTRLEN] = {};
        const auto *address = reinterpret_cast<const sockaddr_in *>(it->ifa_addr);
        inet_ntop(AF_INET, &address->sin_addr, text, sizeof text);
        if (!QString::fromLatin1(text).startsWith(QStringLiteral("127."))) {
            found = QString::fromLatin1(text);
        }
    }
    freeifaddrs(list);
    return found;
}

// The sum of the series named as in `line` ("name{a=\"x\"}") whose labels include the ones
// given there (a series may carry more, such as its model version); -1 when there is none.
double metric(HttpClient &client, const QByteArray &line)
{
    const auto split = [](const QByteArray &text, QByteArray *name) {
        const qsizetype brace = text.indexOf('{');
        *name = brace < 0 ? text : text.left(brace);
        QList<QByteArray> labels;
        if (brace >= 0) {
            labels = text.mid(brace + 1, text.lastIndexOf('}') - brace - 1).split(',');
        }
        return labels;
    };
    QByteArray wanted;
    const QList<QByteArray> wantedLabels = split(line, &wanted);
    const HttpAnswer answer = client.request("GET", "/metrics");
    double sum = -1;
    for (const QByteArray &row : answer.body.split('\n')) {
        const qsizetype space = row.lastIndexOf(' ');
        if (row.startsWith('#') || space < 0) {
            continue;
        }
        QByteArray name;
        const QList<QByteArray> labels = split(row.left(space), &name);
        const bool matches = name == wanted && std::all_of(wantedLabels.begin(), wantedLabels.end(),
                                                           [&labels](const QByteArray &label) {
                                                               return labels.contains(label);
                                                           });
        if (matches) {
            sum = std::max(sum, 0.0) + row.mid(space + 1).toDouble();
        }
    }
    return sum;
}

} // namespace

class tst_Serve : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyEndpointOverLoopback();
    void badInputsGetClearErrors();
    void slowAndLyingClientsAreTimedOut();
    void fullQueueAnswers503AndSigtermDrains();
    void hotSwapUnderLoadLosesNothing();
    void modelThatFailsToLoadLeavesTheOldServing();
    void lowConfidenceRequestsAreCaptured();
    void tokenIsRequiredOffLoopback();
    void tellsSystemdWhenReadyAndWhenStopping();
    void thousandsOfIdleConnectionsWithoutAThreadEach();
    void aLargeRequestDoesNotHoldUpOthers();
    void readyOnlyOnceAModelIsLoaded();

private:
    void promote(qint64 id);
    qint64 servingImages();

    std::unique_ptr<testing::TempWorkspace> m_temp;
    annotation::Principal m_engineer;
    qint64 m_sure7 = 0;
    qint64 m_sure3 = 0;
    qint64 m_unsure = 0;
    qint64 m_spare = 0;
};

void tst_Serve::initTestCase()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_engineer =
        testing::addUser(*m_temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const auto ids = testing::importServedModels(
        *m_temp->workspace, m_engineer, m_temp->dir.path() + QStringLiteral("/models"),
        {QStringLiteral("sure7.pt"), QStringLiteral("sure3.pt"), QStringLiteral("unsure.pt"),
         QStringLiteral("spare.pt")});
    QVERIFY(!ids.isEmpty());
    m_sure7 = ids.value(QStringLiteral("sure7.pt"));
    m_sure3 = ids.value(QStringLiteral("sure3.pt"));
    m_unsure = ids.value(QStringLiteral("unsure.pt"));
    m_spare = ids.value(QStringLiteral("spare.pt"));
    // The endpoint follows production; who approved the models is not its business.
    testing::waiveSignOff(*m_temp->workspace);
    promote(m_sure7);
}

void tst_Serve::promote(qint64 id)
{
    annotation::ModelRegistry(m_temp->workspace->db(), m_temp->workspace->root())
        .moveAlias(m_engineer, annotation::ProductionAlias, id, QStringLiteral("test"));
}

qint64 tst_Serve::servingImages()
{
    storage::SqlQuery query(m_temp->workspace->db(),
                            QStringLiteral("SELECT COUNT(*) FROM images WHERE source = 'serving'"),
                            QStringLiteral("count captured images"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

void tst_Serve::everyEndpointOverLoopback()
{
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    QVERIFY(serve.log().contains(QStringLiteral("device: CPU")));
    HttpClient client(Loopback, serve.port);
    QVERIFY(client.connected());

    QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
    QCOMPARE(client.request("GET", "/v2/health/ready").status, 200);
    const HttpAnswer server = client.request("GET", "/v2");
    QCOMPARE(json(server).value(QStringLiteral("name")).toString(), QStringLiteral("digitdesk"));
    const QJsonObject model = json(client.request("GET", "/v2/models/digits"));
    const QString version = QString::number(m_sure7);
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
    QCOMPARE(servingImages(), 0); // a confident model captures nothing
}

void tst_Serve::badInputsGetClearErrors()
{
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder(), {QStringLiteral("--max-body-mb"), QStringLiteral("1")}),
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
    const QByteArray huge = hugePng(20000, 20000);
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

void tst_Serve::slowAndLyingClientsAreTimedOut()
{
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder(),
                         {QStringLiteral("--request-timeout-ms"), QStringLiteral("1500")}),
             qPrintable(serve.log()));

    // Content-Length says 1000 bytes; 10 come.
    HttpClient liar(Loopback, serve.port);
    QVERIFY(liar.sendRaw("POST /v1/predict HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
                         "Content-Length: 1000\r\n\r\n0123456789"));
    QElapsedTimer timer;
    timer.start();
    const HttpAnswer lied = liar.readAnswer(10000);
    QCOMPARE(lied.status, 408);
    QVERIFY(timer.elapsed() < 5000);

    // One byte a second: timed out, and other clients are answered meanwhile.
    std::atomic<int> slowStatus{-1};
    std::thread slow([&] {
        HttpClient client(Loopback, serve.port);
        const QByteArray request = "GET /v2/health/live HTTP/1.1\r\nHost: slow\r\n\r\n";
        for (char byte : request) {
            if (!client.sendRaw(QByteArray(1, byte))) {
                break; // the server has closed the connection
            }
            const HttpAnswer early = client.readAnswer(1000);
            if (early.status != 0 || early.closed) {
                slowStatus = early.status;
                return;
            }
        }
        slowStatus = client.readAnswer(3000).status;
    });
    HttpClient other(Loopback, serve.port);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(other.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json")
                     .status,
                 200);
    }
    slow.join();
    QCOMPARE(slowStatus.load(), 408);
    QCOMPARE(other.request("GET", "/v2/health/live").status, 200);
}

void tst_Serve::fullQueueAnswers503AndSigtermDrains()
{
    promote(m_sure7);
    ServeProcess serve;
    // One request may wait, and it waits up to 3 s for others to batch with.
    QVERIFY2(serve.start(m_temp->folder(),
                         {QStringLiteral("--max-queue"), QStringLiteral("1"),
                          QStringLiteral("--max-delay-us"), QStringLiteral("3000000")}),
             qPrintable(serve.log()));
    HttpClient first(Loopback, serve.port);
    const QByteArray request = "POST /v2/models/digits/infer HTTP/1.1\r\nHost: t\r\n"
                               "Content-Type: application/json\r\nContent-Length: ";
    const QByteArray body = tensorBody(1);
    QVERIFY(first.sendRaw(request + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    QTest::qWait(300);

    HttpClient second(Loopback, serve.port);
    QElapsedTimer timer;
    timer.start();
    const HttpAnswer rejected =
        second.request("POST", "/v2/models/digits/infer", body, "application/json");
    QCOMPARE(rejected.status, 503);
    QVERIFY(timer.elapsed() < 1000); // at once, not after the queue delay
    QCOMPARE(rejected.header("Retry-After"), QByteArray("1"));
    QVERIFY(errorOf(rejected).contains(QStringLiteral("queue is full")));
    QCOMPARE(metric(second, "nv_inference_request_failure{reason=\"REJECTED\"}"), 1.0);
    QCOMPARE(first.readAnswer(10000).status, 200);

    // SIGTERM with a request in the queue: it is still answered, then the process ends cleanly.
    QVERIFY(first.sendRaw(request + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    QTest::qWait(300);
    serve.terminate();
    const HttpAnswer drained = first.readAnswer(10000);
    QVERIFY2(drained.status == 200, qPrintable(QString::number(drained.status) + serve.log()));
    QVERIFY(serve.waitForExit(15000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(serve.log().contains(QStringLiteral("draining")));
    QVERIFY(!QFile::exists(m_temp->workspace->logsPath() + QStringLiteral("/serving.json")));
}

void tst_Serve::hotSwapUnderLoadLosesNothing()
{
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    struct Seen
    {
        int status = 0;
        QString version;
        int label = -1;
        qint64 at = 0;
    };
    std::mutex mutex;
    std::vector<Seen> seen;
    std::atomic<bool> running{true};
    QElapsedTimer clock;
    clock.start();
    std::vector<std::thread> clients;
    clients.reserve(4);
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&] {
            HttpClient client(Loopback, serve.port);
            const QByteArray body = tensorBody(1);
            while (running) {
                const HttpAnswer answer =
                    client.request("POST", "/v2/models/digits/infer", body, "application/json");
                const QJsonObject object = json(answer);
                Seen one{answer.status, object.value(QStringLiteral("model_version")).toString(),
                         object.value(QStringLiteral("outputs"))
                             .toArray()
                             .at(0)
                             .toObject()
                             .value(QStringLiteral("data"))
                             .toArray()
                             .at(0)
                             .toInt(-1),
                         clock.elapsed()};
                const std::lock_guard lock(mutex);
                seen.push_back(one);
            }
        });
    }
    const QString before = QString::number(m_sure7);
    const QString after = QString::number(m_sure3);
    // Answers from the version asked for, counted since `since` (ms on the clock).
    const auto answersFrom = [&](const QString &version, qint64 since) {
        const std::lock_guard lock(mutex);
        return std::count_if(seen.begin(), seen.end(), [&](const Seen &one) {
            return one.at >= since && one.version == version;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(answersFrom(before, 0) > 50, 10000);
    // Promote, then roll back, as the Models view does: the endpoint follows both moves.
    annotation::ModelRegistry registry(m_temp->workspace->db(), m_temp->workspace->root());
    const qint64 promotedAt = clock.elapsed();
    registry.promote(m_engineer, m_sure3, QStringLiteral("sure of threes"));
    QTRY_VERIFY_WITH_TIMEOUT(answersFrom(after, promotedAt) > 50, 10000);
    const qint64 rolledBackAt = clock.elapsed();
    QCOMPARE(registry.rollBack(m_engineer, QStringLiteral("threes everywhere")), m_sure7);
    QTRY_VERIFY_WITH_TIMEOUT(answersFrom(before, rolledBackAt) > 50, 10000);
    running = false;
    for (std::thread &client : clients) {
        client.join();
    }
    int failed = 0;
    int onOld = 0;
    int onNew = 0;
    qint64 firstNew = -1;
    qint64 firstBack = -1;
    for (const Seen &one : seen) {
        if (one.status != 200) {
            ++failed;
            continue;
        }
        // The label always matches the version that answered: no request was half-swapped.
        if (one.version == before) {
            QCOMPARE(one.label, 7);
            ++onOld;
            if (one.at >= rolledBackAt) {
                firstBack = firstBack < 0 ? one.at : std::min(firstBack, one.at);
            }
        } else {
            QCOMPARE(one.version, after);
            QCOMPARE(one.label, 3);
            ++onNew;
            firstNew = firstNew < 0 ? one.at : std::min(firstNew, one.at);
        }
    }
    qInfo("hot swap: %zu requests, %d failed, %d on model %s, %d on model %s; the promoted "
          "model answered %lld ms after the promotion, the old one %lld ms after the roll-back",
          seen.size(), failed, onOld, qPrintable(before), onNew, qPrintable(after),
          firstNew - promotedAt, firstBack - rolledBackAt);
    QCOMPARE(failed, 0);
    QVERIFY(firstNew - promotedAt < 1500);
    QVERIFY(firstBack - rolledBackAt < 1500);
    const std::vector<storage::AliasMove> history = registry.history();
    QCOMPARE(history.back().reason, QStringLiteral("threes everywhere"));
    QCOMPARE(history.back().toModelId, m_sure7);
    QCOMPARE(history.at(history.size() - 2).reason, QStringLiteral("sure of threes"));
    QVERIFY(serve.log().contains(QStringLiteral("production moved: serving model %1").arg(after)));
    QVERIFY(serve.log().contains(QStringLiteral("production moved: serving model %1").arg(before)));
}

void tst_Serve::modelThatFailsToLoadLeavesTheOldServing()
{
    promote(m_sure3);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    // The spare model's file is damaged after it was registered, and production is moved to it
    // (as a promote from another machine would, past this machine's own load check).
    annotation::ModelRegistry registry(m_temp->workspace->db(), m_temp->workspace->root());
    const QString path = registry.absolutePath(registry.find(m_spare));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("not a model any more");
    file.close();
    storage::ModelRepository(m_temp->workspace->db())
        .moveAlias(annotation::ProductionAlias, m_spare, {QStringLiteral("test"), 0, 0},
                   QStringLiteral("damaged on purpose"));
    QVERIFY2(serve.waitForLog(QStringLiteral("could not be loaded"), 5000),
             qPrintable(serve.log()));
    QVERIFY(serve.log().contains(QStringLiteral("model %1 goes on serving").arg(m_sure3)));

    HttpClient client(Loopback, serve.port);
    const HttpAnswer answer =
        client.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json");
    QCOMPARE(answer.status, 200);
    QCOMPARE(json(answer).value(QStringLiteral("model_version")).toString(),
             QString::number(m_sure3));
    const QJsonObject model = json(client.request("GET", "/v2/models/digits"));
    QVERIFY(model.value(QStringLiteral("last_load_error"))
                .toString()
                .contains(QStringLiteral("production model %1 could not be loaded").arg(m_spare)));
    QCOMPARE(client.request("GET", "/v2/health/ready").status, 200);
    QCOMPARE(metric(client, "digitdesk_model_load_failures_total"), 1.0);
}

void tst_Serve::lowConfidenceRequestsAreCaptured()
{
    promote(m_unsure);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    const qint64 before = servingImages();
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
    QTRY_COMPARE_WITH_TIMEOUT(servingImages(), before + 4, 10000);

    storage::SqlQuery query(
        m_temp->workspace->db(),
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
        QCOMPARE(query.value(2).toLongLong(), m_unsure);
        QCOMPARE(query.value(3).toInt(), 4);
        QVERIFY(query.value(4).toDouble() < 0.3); // queued by its confidence
    }
    QCOMPARE(rows, 4);
    QCOMPARE(withOriginal, 3);
    QVERIFY(metric(client, "digitdesk_capture_stored_total") == 4.0);

    // Switched off in the workspace's settings: the endpoint stops capturing without a restart.
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QStringLiteral("serving.capture"), QStringLiteral("0"));
    QTest::qWait(800);
    const QByteArray another =
        testing::encodeRing(QStringLiteral(".png"), 90, 90, 45, 45, 33, true);
    QCOMPARE(client.request("POST", "/v1/predict", another, "image/png").status, 200);
    QTest::qWait(1000);
    QCOMPARE(servingImages(), before + 4);
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QStringLiteral("serving.capture"), QStringLiteral("1"));
}

void tst_Serve::tokenIsRequiredOffLoopback()
{
    const QString external = externalAddress();
    if (external.isEmpty()) {
        QSKIP("this machine has no address but loopback");
    }
    promote(m_sure7);
    storage::SettingsRepository settings(m_temp->workspace->db());
    settings.setValue(QStringLiteral("serving.token"), QStringLiteral(""));
    ServeProcess refused;
    QVERIFY(
        !refused.start(m_temp->folder(), {QStringLiteral("--host"), QStringLiteral("0.0.0.0")}));
    QVERIFY(refused.waitForExit(5000));
    QCOMPARE(refused.exitCode(), 2);
    QVERIFY2(refused.log().contains(QStringLiteral("serving.token")), qPrintable(refused.log()));

    const QByteArray token = "s3cret-token-for-the-sorting-office";
    settings.setValue(QStringLiteral("serving.token"), QString::fromLatin1(token));
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder(), {QStringLiteral("--host"), QStringLiteral("0.0.0.0")}),
             qPrintable(serve.log()));
    const QByteArray infer = "/v2/models/digits/infer";
    HttpClient outside(external, serve.port);
    QVERIFY(outside.connected());
    QCOMPARE(outside.request("GET", "/v2/health/ready").status, 200); // probes need no token
    const HttpAnswer anonymous = outside.request("POST", infer, tensorBody(1), "application/json");
    QCOMPARE(anonymous.status, 401);
    QVERIFY(anonymous.header("WWW-Authenticate").startsWith("Bearer"));
    QVERIFY(errorOf(anonymous).contains(QStringLiteral("bearer token")));
    QVERIFY(anonymous.closed); // refused before its body was read
    HttpClient again(external, serve.port);
    QCOMPARE(again.request("GET", "/metrics").status, 401); // no body: the connection goes on
    QCOMPARE(again
                 .request("POST", infer, tensorBody(1), "application/json",
                          {{"Authorization", "Bearer wrong-token-of-the-same-len"}})
                 .status,
             401);
    HttpClient holder(external, serve.port);
    QCOMPARE(holder
                 .request("POST", infer, tensorBody(1), "application/json",
                          {{"Authorization", "bearer " + token}})
                 .status,
             200);
    HttpClient local(Loopback, serve.port);
    QCOMPARE(local.request("POST", infer, tensorBody(1), "application/json").status, 200);
    settings.setValue(QStringLiteral("serving.token"), QStringLiteral(""));
}

void tst_Serve::tellsSystemdWhenReadyAndWhenStopping()
{
    promote(m_sure7);
    // What systemd does for Type=notify: a datagram socket named in $NOTIFY_SOCKET.
    const QString path = m_temp->dir.path() + QStringLiteral("/notify.sock");
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = QFile::encodeName(path);
    QVERIFY(static_cast<size_t>(encoded.size()) < sizeof address.sun_path);
    std::copy(encoded.begin(), encoded.end(), address.sun_path);
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const auto receive = [fd] {
        pollfd wait{fd, POLLIN, 0};
        if (::poll(&wait, 1, 15000) <= 0) {
            return QByteArray();
        }
        char buffer[512];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        return n > 0 ? QByteArray(buffer, static_cast<qsizetype>(n)) : QByteArray();
    };
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("NOTIFY_SOCKET"), path);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder(), {}, environment), qPrintable(serve.log()));
    QVERIFY(receive().contains("READY=1"));
    serve.terminate();
    QVERIFY(receive().contains("STOPPING=1"));
    QVERIFY(serve.waitForExit(15000));
    QCOMPARE(serve.exitCode(), 0);
    ::close(fd);
}

void tst_Serve::thousandsOfIdleConnectionsWithoutAThreadEach()
{
    rlimit limit{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const int wanted = static_cast<int>(std::min<rlim_t>(3000, limit.rlim_cur - 100));
    QVERIFY2(wanted >= 1000, "this machine allows too few open files for the test");
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    const QString tasks = QStringLiteral("/proc/%1/task").arg(serve.pid());
    const qsizetype threadsBefore = QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size();
    std::vector<std::unique_ptr<HttpClient>> idle;
    idle.reserve(static_cast<size_t>(wanted));
    for (int i = 0; i < wanted; ++i) {
        idle.push_back(std::make_unique<HttpClient>(Loopback, serve.port));
        QVERIFY(idle.back()->connected());
    }
    HttpClient active(Loopback, serve.port);
    QTRY_VERIFY_WITH_TIMEOUT(metric(active, "digitdesk_open_connections") >= wanted + 1, 10000);
    const qsizetype threadsAfter = QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size();
    qInfo("%d idle connections: %lld threads before, %lld with them open", wanted,
          static_cast<long long>(threadsBefore), static_cast<long long>(threadsAfter));
    QCOMPARE(threadsAfter, threadsBefore);
    QCOMPARE(
        active.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json").status,
        200);
    // Every idle connection is still served.
    QCOMPARE(idle.front()->request("GET", "/v2/health/live").status, 200);
    QCOMPARE(idle.back()->request("GET", "/v2/health/live").status, 200);
}

void tst_Serve::aLargeRequestDoesNotHoldUpOthers()
{
    promote(m_sure7);
    ServeProcess serve;
    QVERIFY2(serve.start(m_temp->folder()), qPrintable(serve.log()));
    const QByteArray png =
        testing::encodeRing(QStringLiteral(".png"), 400, 300, 200, 150, 100, true).toBase64();
    QByteArray batch = "{\"images\":[";
    for (int i = 0; i < 1000; ++i) {
        batch += (i > 0 ? ",\"" : "\"") + png + "\"";
    }
    batch += "]}";
    HttpClient large(Loopback, serve.port);
    HttpClient probe(Loopback, serve.port);
    QVERIFY(large.sendRaw("POST /v1/predict HTTP/1.1\r\nHost: t\r\nContent-Type: "
                          "application/json\r\nContent-Length: " +
                          QByteArray::number(batch.size()) + "\r\n\r\n" + batch));
    QTest::qWait(20); // the large request is being decoded now
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(probe.request("GET", "/v2/health/live").status, 200);
    const qint64 probeMs = timer.elapsed();
    const HttpAnswer answer = large.readAnswer(30000);
    const qint64 largeMs = timer.elapsed();
    QCOMPARE(answer.status, 200);
    QCOMPARE(json(answer).value(QStringLiteral("predictions")).toArray().size(), 1000);
    qInfo("probe answered after %lld ms, the 1,000-image request after %lld ms", probeMs, largeMs);
    // Answered while the large request was still being decoded, not after its decoding.
    QVERIFY(probeMs * 4 < largeMs);
}

void tst_Serve::readyOnlyOnceAModelIsLoaded()
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

QTEST_GUILESS_MAIN(tst_Serve)
#include "tst_serve.moc"
