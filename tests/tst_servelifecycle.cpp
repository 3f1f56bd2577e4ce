// The serving endpoint's life as operators meet it: a full queue and SIGTERM, hot swaps under
// load, a model that fails to load, and what it tells systemd.
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

class tst_ServeLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_models.setUp()); }
    void fullQueueAnswers503AndSigtermDrains();
    void hotSwapUnderLoadLosesNothing();
    void modelThatFailsToLoadLeavesTheOldServing();
    void tellsSystemdWhenReadyAndWhenStopping();

private:
    ServeModelsFixture m_models;
};

void tst_ServeLifecycle::fullQueueAnswers503AndSigtermDrains()
{
    ServeProcess serve;
    // One request may wait, and it waits up to 3 s for others to batch with.
    QVERIFY2(m_models.serve(serve, m_models.sure7,
                            {QStringLiteral("--max-queue"), QStringLiteral("1"),
                             QStringLiteral("--max-delay-us"), QStringLiteral("3000000")}),
             qPrintable(serve.log()));
    HttpClient first(Loopback, serve.port);
    const QByteArray request = "POST /v2/models/digits/infer HTTP/1.1\r\nHost: t\r\n"
                               "Content-Type: application/json\r\nContent-Length: ";
    const QByteArray body = tensorBody(1);
    QVERIFY(first.sendRaw(request + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    HttpClient second(Loopback, serve.port);
    QTRY_COMPARE(metric(second, "nv_inference_pending_request_count"),
                 1.0); // it waits in the queue

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
    QTRY_COMPARE(metric(second, "nv_inference_pending_request_count"), 1.0);
    serve.terminate();
    const HttpAnswer drained = first.readAnswer(10000);
    QVERIFY2(drained.status == 200, qPrintable(QString::number(drained.status) + serve.log()));
    QVERIFY(serve.waitForExit(15000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(serve.log().contains(QStringLiteral("draining")));
    QVERIFY(!QFile::exists(m_models.temp->workspace->logsPath() + QStringLiteral("/serving.json")));
}

void tst_ServeLifecycle::hotSwapUnderLoadLosesNothing()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure7), qPrintable(serve.log()));
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
                Seen one{answer.status,
                         json(answer).value(QStringLiteral("model_version")).toString(),
                         testing::firstLabel(answer), clock.elapsed()};
                const std::lock_guard lock(mutex);
                seen.push_back(one);
            }
        });
    }
    const QString before = QString::number(m_models.sure7);
    const QString after = QString::number(m_models.sure3);
    // Answers from the version asked for, counted since `since` (ms on the clock).
    const auto answersFrom = [&](const QString &version, qint64 since) {
        const std::lock_guard lock(mutex);
        return std::count_if(seen.begin(), seen.end(), [&](const Seen &one) {
            return one.at >= since && one.version == version;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(answersFrom(before, 0) > 50, 10000);
    // Promote, then roll back, as the Models view does: the endpoint follows both moves.
    annotation::ModelRegistry registry(m_models.temp->workspace->db(),
                                       m_models.temp->workspace->root());
    const qint64 promotedAt = clock.elapsed();
    registry.promote(m_models.engineer, m_models.sure3, QStringLiteral("sure of threes"));
    QTRY_VERIFY_WITH_TIMEOUT(answersFrom(after, promotedAt) > 50, 10000);
    const qint64 rolledBackAt = clock.elapsed();
    QCOMPARE(registry.rollBack(m_models.engineer, QStringLiteral("threes everywhere")),
             m_models.sure7);
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
    // The watcher's poll and a model load, slower under a sanitizer like everything else.
    QVERIFY(firstNew - promotedAt < 1500 * testing::SanitizerTimeFactor);
    QVERIFY(firstBack - rolledBackAt < 1500 * testing::SanitizerTimeFactor);
    const std::vector<storage::AliasMove> history = registry.history();
    QCOMPARE(history.back().reason, QStringLiteral("threes everywhere"));
    QCOMPARE(history.back().toModelId, m_models.sure7);
    QCOMPARE(history.at(history.size() - 2).reason, QStringLiteral("sure of threes"));
    QVERIFY(serve.log().contains(QStringLiteral("production moved: serving model %1").arg(after)));
    QVERIFY(serve.log().contains(QStringLiteral("production moved: serving model %1").arg(before)));
}

void tst_ServeLifecycle::modelThatFailsToLoadLeavesTheOldServing()
{
    ServeProcess serve;
    QVERIFY2(m_models.serve(serve, m_models.sure3), qPrintable(serve.log()));
    // The spare model's file is damaged after it was registered, and production is moved to it
    // (as a promote from another machine would, past this machine's own load check).
    annotation::ModelRegistry registry(m_models.temp->workspace->db(),
                                       m_models.temp->workspace->root());
    const QString path = registry.absolutePath(registry.find(m_models.spare));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("not a model any more");
    file.close();
    storage::ModelRepository(m_models.temp->workspace->db())
        .moveAlias(annotation::ProductionAlias, m_models.spare, {QStringLiteral("test"), 0, 0},
                   QStringLiteral("damaged on purpose"));
    QVERIFY2(serve.waitForLog(QStringLiteral("could not be loaded"), 5000),
             qPrintable(serve.log()));
    QVERIFY(serve.log().contains(QStringLiteral("model %1 goes on serving").arg(m_models.sure3)));

    HttpClient client(Loopback, serve.port);
    const HttpAnswer answer =
        client.request("POST", "/v2/models/digits/infer", tensorBody(1), "application/json");
    QCOMPARE(answer.status, 200);
    QCOMPARE(json(answer).value(QStringLiteral("model_version")).toString(),
             QString::number(m_models.sure3));
    const QJsonObject model = json(client.request("GET", "/v2/models/digits"));
    QVERIFY(model.value(QStringLiteral("last_load_error"))
                .toString()
                .contains(
                    QStringLiteral("production model %1 could not be loaded").arg(m_models.spare)));
    QCOMPARE(client.request("GET", "/v2/health/ready").status, 200);
    QCOMPARE(metric(client, "digitdesk_model_load_failures_total"), 1.0);
}

void tst_ServeLifecycle::tellsSystemdWhenReadyAndWhenStopping()
{
    m_models.promote(m_models.sure7);
    // What systemd does for Type=notify: a datagram socket named in $NOTIFY_SOCKET.
    const QString path = m_models.temp->dir.path() + QStringLiteral("/notify.sock");
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
    QVERIFY2(serve.start(m_models.folder(), {}, environment), qPrintable(serve.log()));
    QVERIFY(receive().contains("READY=1"));
    serve.terminate();
    QVERIFY(receive().contains("STOPPING=1"));
    QVERIFY(serve.waitForExit(15000));
    QCOMPARE(serve.exitCode(), 0);
    ::close(fd);
}

QTEST_GUILESS_MAIN(tst_ServeLifecycle)
#include "tst_servelifecycle.moc"
