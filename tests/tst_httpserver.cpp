// HttpServer in process with a stub handler: what reaches the handler from a request's head,
// keep-alive, the limits it answers by itself (400, 408, 413, 503), the head-only preflight and
// a drain that lets requests in flight get their answers.
#include "app/serve/httpserver.h"
#include "tests/support/httpclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using digitdesk::app::HttpRequest;
using digitdesk::app::HttpResponse;
using digitdesk::app::HttpServer;
using digitdesk::app::HttpServerOptions;
using digitdesk::app::Responder;
using digitdesk::testing::HttpAnswer;
using digitdesk::testing::HttpClient;
using namespace std::chrono_literals;

namespace {

const QString Loopback = QStringLiteral("127.0.0.1");

// A server on a free loopback port whose handler answers 200 with what it was given, except
// that requests for /hold wait until release() answers them; /refused is answered 401 by the
// preflight from the head alone.
class StubServer final
{
public:
    explicit StubServer(HttpServerOptions options = {})
    {
        options.port = 0;
        m_server = std::make_unique<HttpServer>(
            options,
            [this](const HttpRequest &head) -> std::optional<HttpResponse> {
                if (head.target != "/refused") {
                    return std::nullopt;
                }
                ++preflightAnswers;
                return HttpResponse{401, "application/json", "{\"error\":\"no\"}", {}};
            },
            [this](HttpRequest request, Responder respond) {
                ++handled;
                if (request.target == "/hold") {
                    const std::lock_guard lock(m_mutex);
                    m_held.push_back(std::move(respond));
                    return;
                }
                QJsonObject echo{
                    {QStringLiteral("method"), QString::fromStdString(request.method)},
                    {QStringLiteral("target"), QString::fromStdString(request.target)},
                    {QStringLiteral("contentType"), QString::fromStdString(request.contentType)},
                    {QStringLiteral("authorization"),
                     QString::fromStdString(request.authorization)},
                    {QStringLiteral("headerLength"),
                     QString::fromStdString(request.inferenceHeaderLength)},
                    {QStringLiteral("body"), QString::fromStdString(request.body)},
                    {QStringLiteral("fromLoopback"), request.fromLoopback}};
                respond({200,
                         "application/json",
                         QJsonDocument(echo).toJson(QJsonDocument::Compact).toStdString(),
                         {}});
            },
            [this](int status) {
                const std::lock_guard lock(m_mutex);
                m_observed.push_back(status);
            });
        m_server->start();
    }

    HttpServer &server() { return *m_server; }
    int port() const { return m_server->port(); }
    int held()
    {
        const std::lock_guard lock(m_mutex);
        return int(m_held.size());
    }
    // Answers the held requests 200.
    void release()
    {
        std::vector<Responder> held;
        {
            const std::lock_guard lock(m_mutex);
            held.swap(m_held);
        }
        for (const Responder &respond : held) {
            respond({200, "application/json", "{\"released\":true}", {}});
        }
    }
    std::vector<int> observed()
    {
        const std::lock_guard lock(m_mutex);
        return m_observed;
    }

    std::atomic<int> handled{0};
    std::atomic<int> preflightAnswers{0};

private:
    std::mutex m_mutex;
    std::vector<Responder> m_held;
    std::vector<int> m_observed;
    std::unique_ptr<HttpServer> m_server;
};

QJsonObject json(const HttpAnswer &answer)
{
    return QJsonDocument::fromJson(answer.body).object();
}

} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theHandlerSeesTheRequest();
    void keepAliveServesManyRequestsOnOneConnection();
    void preflightAnswersFromTheHeadAlone();
    void limits_data();
    void limits();
    void connectionsOverTheLimitAre503();
    void drainAnswersRequestsInFlight();
    void loopbackAddresses_data();
    void loopbackAddresses();
};

void tst_HttpServer::theHandlerSeesTheRequest()
{
    StubServer stub;
    HttpClient client(Loopback, stub.port());
    const HttpAnswer answer =
        client.request("POST", "/v2/models/digits/infer?x=1", "{\"a\":1}", "application/json",
                       {{"Authorization", "Bearer abc"}, {"Inference-Header-Content-Length", "7"}});
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.header("Content-Type"), QByteArray("application/json"));
    const QJsonObject seen = json(answer);
    QCOMPARE(seen.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(seen.value(QStringLiteral("target")).toString(),
             QStringLiteral("/v2/models/digits/infer?x=1"));
    QCOMPARE(seen.value(QStringLiteral("contentType")).toString(),
             QStringLiteral("application/json"));
    QCOMPARE(seen.value(QStringLiteral("authorization")).toString(), QStringLiteral("Bearer abc"));
    QCOMPARE(seen.value(QStringLiteral("headerLength")).toString(), QStringLiteral("7"));
    QCOMPARE(seen.value(QStringLiteral("body")).toString(), QStringLiteral("{\"a\":1}"));
    QCOMPARE(seen.value(QStringLiteral("fromLoopback")).toBool(), true);
}

void tst_HttpServer::keepAliveServesManyRequestsOnOneConnection()
{
    StubServer stub;
    HttpClient client(Loopback, stub.port());
    for (int i = 0; i < 5; ++i) {
        const HttpAnswer answer = client.request("GET", "/n" + QByteArray::number(i));
        QCOMPARE(answer.status, 200);
        QVERIFY(!answer.closed);
    }
    QCOMPARE(stub.handled.load(), 5);
    QTRY_COMPARE(stub.server().openConnections(), 1);
    HttpClient second(Loopback, stub.port());
    QCOMPARE(second.request("GET", "/").status, 200);
    QTRY_COMPARE(stub.server().openConnections(), 2);
}

void tst_HttpServer::preflightAnswersFromTheHeadAlone()
{
    StubServer stub;
    HttpClient client(Loopback, stub.port());
    // It announces a megabyte of body and sends none: the answer comes from the head.
    QVERIFY(client.sendRaw("POST /refused HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
    const HttpAnswer answer = client.readAnswer(5000);
    QCOMPARE(answer.status, 401);
    QCOMPARE(stub.preflightAnswers.load(), 1);
    QCOMPARE(stub.handled.load(), 0);
    // Without a body to skip, the connection goes on.
    HttpClient other(Loopback, stub.port());
    QCOMPARE(other.request("GET", "/refused").status, 401);
    QCOMPARE(other.request("GET", "/fine").status, 200);
}

void tst_HttpServer::limits_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");

    QTest::newRow("body over the limit")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n") +
               QByteArray(5000, 'x')
        << 413 << "larger than the limit of 4096 bytes";
    QTest::newRow("head over 64 KiB")
        << QByteArray("GET / HTTP/1.1\r\nHost: t\r\nX-Long: ") + QByteArray(70000, 'a') + "\r\n\r\n"
        << 400 << "malformed HTTP request";
    QTest::newRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n") << 400
                              << "malformed HTTP request";
    QTest::newRow("a head that never ends") << QByteArray("GET / HTTP/1.1\r\nHost: t\r\n") << 408
                                            << "did not arrive whole within 300 ms";
    QTest::newRow("a body shorter than announced")
        << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc") << 408
        << "did not arrive whole";
}

void tst_HttpServer::limits()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, error);
    HttpServerOptions options;
    options.maxBodyBytes = 4096;
    options.requestTimeout = 300ms;
    StubServer stub(options);
    HttpClient client(Loopback, stub.port());
    QVERIFY(client.sendRaw(request));
    const HttpAnswer answer = client.readAnswer(10000);
    QCOMPARE(answer.status, status);
    const QString message = json(answer).value(QStringLiteral("error")).toString();
    QVERIFY2(message.contains(error), qPrintable(message));
    QCOMPARE(stub.handled.load(), 0);
    QTRY_VERIFY(!stub.observed().empty());
    QCOMPARE(stub.observed().front(), status);
    // The server is there for the next client.
    HttpClient next(Loopback, stub.port());
    QCOMPARE(next.request("GET", "/").status, 200);
}

void tst_HttpServer::connectionsOverTheLimitAre503()
{
    HttpServerOptions options;
    options.maxConnections = 2;
    StubServer stub(options);
    HttpClient first(Loopback, stub.port());
    HttpClient second(Loopback, stub.port());
    QCOMPARE(first.request("GET", "/").status, 200);
    QCOMPARE(second.request("GET", "/").status, 200);
    QTRY_COMPARE(stub.server().openConnections(), 2);
    HttpClient third(Loopback, stub.port());
    const HttpAnswer refused = third.request("GET", "/");
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("Retry-After"), QByteArray("1"));
    QCOMPARE(stub.handled.load(), 2);
}

void tst_HttpServer::drainAnswersRequestsInFlight()
{
    StubServer stub;
    HttpClient held(Loopback, stub.port());
    QVERIFY(held.sendRaw("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n"));
    QTRY_COMPARE(stub.held(), 1);
    std::thread drain([&stub] { stub.server().drain(10s); });
    QTRY_VERIFY(stub.server().draining());
    stub.release();
    const HttpAnswer answer = held.readAnswer(10000);
    drain.join();
    QCOMPARE(answer.status, 200);
    QCOMPARE(json(answer).value(QStringLiteral("released")).toBool(), true);
    // Drained: the server takes no new connection.
    QVERIFY(!HttpClient(Loopback, stub.port()).connected());
}

void tst_HttpServer::loopbackAddresses_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("ip");
    QTest::addColumn<bool>("loopback");

    QTest::newRow("127.0.0.1") << "127.0.0.1" << true << true;
    QTest::newRow("127.8.9.10") << "127.8.9.10" << true << true;
    QTest::newRow("::1") << "::1" << true << true;
    QTest::newRow("v4-mapped loopback") << "::ffff:127.0.0.1" << true << true;
    QTest::newRow("0.0.0.0") << "0.0.0.0" << true << false;
    QTest::newRow("192.168.1.5") << "192.168.1.5" << true << false;
    QTest::newRow("localhost is a name") << "localhost" << false << false;
    QTest::newRow("empty") << "" << false << false;
}

void tst_HttpServer::loopbackAddresses()
{
    QFETCH(QString, host);
    QFETCH(bool, ip);
    QFETCH(bool, loopback);
    QCOMPARE(digitdesk::app::isIpAddress(host.toStdString()), ip);
    QCOMPARE(digitdesk::app::isLoopbackAddress(host.toStdString()), loopback);
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
