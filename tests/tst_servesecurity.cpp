// The serving endpoint against clients that misbehave: slow and lying clients, a missing token
// off loopback, thousands of idle connections and one very large request.
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

class tst_ServeSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_models.setUp()); }
    void slowAndLyingClientsAreTimedOut();
    void tokenIsRequiredOffLoopback();
    void thousandsOfIdleConnectionsWithoutAThreadEach();
    void aLargeRequestDoesNotHoldUpOthers();

private:
    ServeModelsFixture m_models;
};

void tst_ServeSecurity::slowAndLyingClientsAreTimedOut()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7,
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

void tst_ServeSecurity::tokenIsRequiredOffLoopback()
{
    const QString external = testing::externalAddress();
    if (external.isEmpty()) {
        QSKIP("this machine has no address but loopback");
    }
    m_models.promote(m_models.sure7);
    storage::SettingsRepository settings(m_models.temp->workspace->db());
    settings.setValue(QStringLiteral("serving.token"), QStringLiteral(""));
    ServeProcess refused;
    QVERIFY(
        !refused.start(m_models.folder(), {QStringLiteral("--host"), QStringLiteral("0.0.0.0")}));
    QVERIFY(refused.waitForExit(5000));
    QCOMPARE(refused.exitCode(), 2);
    QVERIFY2(refused.log().contains(QStringLiteral("serving.token")), qPrintable(refused.log()));

    const QByteArray token = "s3cret-token-for-the-sorting-office";
    settings.setValue(QStringLiteral("serving.token"), QString::fromLatin1(token));
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(), {QStringLiteral("--host"), QStringLiteral("0.0.0.0")}),
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

void tst_ServeSecurity::thousandsOfIdleConnectionsWithoutAThreadEach()
{
    rlimit limit{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const int wanted = static_cast<int>(std::min<rlim_t>(3000, limit.rlim_cur - 100));
    QVERIFY2(wanted >= 1000, "this machine allows too few open files for the test");
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7), qPrintable(serve.log()));
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

void tst_ServeSecurity::aLargeRequestDoesNotHoldUpOthers()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7), qPrintable(serve.log()));
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
    // The large request is being decoded now.
    QTRY_VERIFY(metric(probe, "digitdesk_decoding_requests") >= 1.0);
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

QTEST_GUILESS_MAIN(tst_ServeSecurity)
#include "tst_servesecurity.moc"
