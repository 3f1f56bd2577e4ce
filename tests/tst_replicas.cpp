// Replicas behind a load balancer, as installer/nginx/digitdesk-serve.conf sets them up: three
// `digitdesk serve` processes of one workspace on loopback ports and Debian's nginx in front,
// started from the shipped file. Clients keep sending while one replica is SIGKILLed and a new
// model is promoted; what they see, what each replica serves and what lands in the workspace.
#include "annotation/modelregistry.h"
#include "storage/blobstore.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/httpclient.h"
#include "tests/support/nginxproxy.h"
#include "tests/support/servefixture.h"
#include "tests/support/servemodelsfixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/testfiles.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTest>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace digitdesk;
using testing::firstLabel;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::json;
using testing::Loopback;
using testing::NginxProxy;
using testing::ServeProcess;

namespace {

const QByteArray Infer = "/v2/models/digits/infer";
const QByteArray Token = "a-token-for-the-sorting-office-replicas";
const QList<QPair<QByteArray, QByteArray>> Authorized{{"Authorization", "Bearer " + Token}};

// An image no other request sends: `n` in its first three pixels, `mark` in the fourth.
QByteArray pixelsOf(qint64 n, char mark = 0)
{
    QByteArray pixels(784, 0);
    for (int i = 0; i < 3; ++i) {
        pixels[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    }
    pixels[3] = mark;
    return pixels;
}

QByteArray bodyOf(const QByteArray &pixels)
{
    QByteArray data;
    for (const char pixel : pixels) {
        data += (data.isEmpty() ? "" : ",") + QByteArray::number(static_cast<uchar>(pixel));
    }
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":[" +
           data + "]}]}";
}

// The model version a replica serves, asked directly; empty when it does not answer.
QString versionAt(int port)
{
    HttpClient client(Loopback, port);
    return json(client.request("GET", "/v2/models/digits", {}, {}, Authorized))
        .value(QStringLiteral("model_version"))
        .toString();
}

// Images a replica's writer has stored, from its /metrics; -1 when it does not answer.
double storedAt(int port)
{
    HttpClient client(Loopback, port);
    const HttpAnswer answer = client.request("GET", "/metrics", {}, {}, Authorized);
    for (const QByteArray &row : answer.body.split('\n')) {
        if (row.startsWith("digitdesk_capture_stored_total ")) {
            return row.mid(row.indexOf(' ') + 1).toDouble();
        }
    }
    return -1;
}

} // namespace

class tst_Replicas : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedReplicaAndPromotionLoseNoRequest();
    void imageAnsweredByTwoReplicasIsCapturedOnce();

private:
    // The workspace's captured images, by digest, with how many predictions each has.
    QHash<QString, int> captured();
    bool startReplicas();

    testing::ServeModelsFixture m_models;
    std::vector<std::unique_ptr<ServeProcess>> m_replicas;
};

void tst_Replicas::initTestCase()
{
    if (testing::nginxExecutable().isEmpty()) {
        QSKIP("nginx is not installed (installer/deps-debian.sh installs nginx-light)");
    }
    QVERIFY(m_models.setUp());
    // Both models answer with low confidence, so every answered image is captured.
    m_models.promote(m_models.unsure);
    // Behind nginx every client is on loopback: replicas ask for the token all the same.
    storage::SettingsRepository(m_models.temp->workspace->db())
        .setValue(QStringLiteral("serving.token"), QString::fromLatin1(Token));
}

bool tst_Replicas::startReplicas()
{
    m_replicas.clear();
    for (int i = 0; i < 3; ++i) {
        auto replica = std::make_unique<ServeProcess>();
        if (!replica->start(m_models.folder(),
                            {QStringLiteral("--require-token"), QStringLiteral("--threads"),
                             QStringLiteral("1")})) {
            qWarning("replica %d did not start: %s", i, qPrintable(replica->log()));
            return false;
        }
        m_replicas.push_back(std::move(replica));
    }
    return true;
}

QHash<QString, int> tst_Replicas::captured()
{
    storage::SqlQuery query(m_models.temp->workspace->db(),
                            QStringLiteral("SELECT i.sha256, COUNT(p.id) FROM images i "
                                           "LEFT JOIN predictions p ON p.image_id = i.id "
                                           "WHERE i.source = :source GROUP BY i.id"),
                            QStringLiteral("read captured images"));
    query.bind(QStringLiteral(":source"), QStringLiteral("serving"));
    query.exec();
    QHash<QString, int> digests;
    while (query.next()) {
        digests.insert(query.value(0).toString(), query.value(1).toInt());
    }
    return digests;
}

void tst_Replicas::killedReplicaAndPromotionLoseNoRequest()
{
    QVERIFY(startReplicas());
    QList<int> ports;
    for (const auto &replica : m_replicas) {
        ports << replica->port;
    }
    NginxProxy nginx(m_models.temp->dir.path() + QStringLiteral("/nginx"));
    QVERIFY2(nginx.start(ports), qPrintable(nginx.error()));
    {
        HttpClient probe(Loopback, nginx.port);
        QCOMPARE(probe.request("GET", "/v2/health/ready").status, 200);
        // The token reaches the replicas through nginx; without it they refuse.
        QCOMPARE(probe.request("POST", Infer, bodyOf(pixelsOf(0, 1)), "application/json").status,
                 401);
    }

    struct Answer
    {
        qint64 n = 0;
        int status = 0;
        QString version;
        int label = -1;
        qint64 sentAt = 0;
    };
    std::mutex mutex;
    std::vector<Answer> answers;
    std::atomic<bool> running{true};
    std::atomic<qint64> next{1};
    QElapsedTimer clock;
    clock.start();
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&] {
            std::unique_ptr<HttpClient> client;
            while (running) {
                if (!client) {
                    client = std::make_unique<HttpClient>(Loopback, nginx.port);
                }
                Answer one;
                one.n = next++;
                one.sentAt = clock.elapsed();
                auto headers = Authorized;
                headers.append({"X-Request-Id", QByteArray::number(one.n)});
                const HttpAnswer answer = client->request("POST", Infer, bodyOf(pixelsOf(one.n)),
                                                          "application/json", headers);
                one.status = answer.status;
                const QJsonObject object = json(answer);
                one.version = object.value(QStringLiteral("model_version")).toString();
                one.label = firstLabel(answer);
                if (answer.closed) {
                    client.reset(); // nginx ends a keep-alive connection after 1,000 requests
                }
                const std::lock_guard lock(mutex);
                answers.push_back(one);
            }
        });
    }
    // A failed check returns early: the clients still stop and join, or std::thread terminates.
    const auto stopClients = [&] {
        running = false;
        for (std::thread &client : clients) {
            if (client.joinable()) {
                client.join();
            }
        }
    };
    const auto joinOnReturn = qScopeGuard(stopClients);
    const auto answeredSince = [&](qint64 since) {
        const std::lock_guard lock(mutex);
        return std::count_if(answers.begin(), answers.end(),
                             [&](const Answer &one) { return one.sentAt >= since; });
    };
    const int factor = testing::SanitizerTimeFactor;
    // A model load under a sanitizer takes seconds by itself (measured 6 s under ASan).
    const qint64 switchBoundMs = factor == 1 ? 1000 : 10000;
    QTRY_VERIFY_WITH_TIMEOUT(answeredSince(0) >= 100, 20000 * factor);

    ServeProcess &killed = *m_replicas.at(1);
    // It dies with captures already written, and more in hand.
    QTRY_VERIFY_WITH_TIMEOUT(storedAt(killed.port) >= 10, 20000 * factor);
    const QString killedAddress = QStringLiteral("127.0.0.1:%1").arg(killed.port);
    const qint64 killedAt = clock.elapsed();
    QCOMPARE(::kill(static_cast<pid_t>(killed.pid()), SIGKILL), 0);
    QVERIFY(killed.waitForExit(5000));
    QTRY_VERIFY_WITH_TIMEOUT(answeredSince(killedAt) >= 100, 20000 * factor);

    const QString before = QString::number(m_models.unsure);
    const QString after = QString::number(m_models.spare);
    annotation::ModelRegistry registry(m_models.temp->workspace->db(),
                                       m_models.temp->workspace->root());
    const qint64 promotedAt = clock.elapsed();
    registry.promote(m_models.engineer, m_models.spare, QStringLiteral("replicas follow"));
    // Each live replica, asked directly, serves the new version within a second.
    for (const auto &replica : m_replicas) {
        if (replica.get() == &killed) {
            continue;
        }
        QTRY_COMPARE_WITH_TIMEOUT(versionAt(replica->port), after, 10000 * factor);
        const qint64 switched = clock.elapsed() - promotedAt;
        qInfo("replica on port %d serves model %s %lld ms after the promotion", replica->port,
              qPrintable(after), switched);
        QVERIFY2(switched < switchBoundMs, qPrintable(QString::number(switched)));
    }
    const qint64 allSwitchedAt = promotedAt + switchBoundMs;
    QTRY_VERIFY_WITH_TIMEOUT(answeredSince(allSwitchedAt) >= 100, 20000 * factor);
    stopClients(); // now: the answers are read below

    int failed = 0;
    for (const Answer &one : answers) {
        if (one.status != 200) {
            qWarning("request %lld: status %d", one.n, one.status);
            ++failed;
        }
    }
    QCOMPARE(failed, 0);

    // Which replica answered each request, and which were sent on after one failed. nginx
    // writes a request's line once it has answered it, so the last lines may come a moment late.
    static const QRegularExpression line(QStringLiteral("upstream=\"([^\"]*)\".*rid=\"(\\d+)\""));
    QHash<qint64, QStringList> upstreams;
    const auto readLog = [&] {
        QFile log(nginx.accessLogPath());
        if (!log.open(QIODevice::ReadOnly)) {
            return qsizetype(-1);
        }
        upstreams.clear();
        for (const QByteArray &text : log.readAll().split('\n')) {
            const QRegularExpressionMatch match = line.match(QString::fromUtf8(text));
            if (match.hasMatch()) {
                upstreams.insert(match.captured(2).toLongLong(),
                                 match.captured(1).split(QStringLiteral(", ")));
            }
        }
        return upstreams.size();
    };
    const qsizetype total = static_cast<qsizetype>(answers.size());
    QTRY_COMPARE(readLog(), total);
    int retried = 0;
    int onKilled = 0;
    QSet<QString> fromLive;
    QSet<QString> fromKilled;
    for (const Answer &one : answers) {
        // The label always matches the version that answered.
        QCOMPARE(one.label, one.version == before ? 4 : 5);
        if (one.sentAt >= allSwitchedAt) {
            QCOMPARE(one.version, after);
        }
        const QStringList tried = upstreams.value(one.n);
        QVERIFY2(!tried.isEmpty(),
                 qPrintable(QStringLiteral("request %1 is not in nginx's log").arg(one.n)));
        retried += tried.size() > 1 ? 1 : 0;
        const QString digest = storage::BlobStore::digestOf(pixelsOf(one.n));
        if (tried.last() == killedAddress) {
            ++onKilled;
            fromKilled.insert(digest);
        } else {
            fromLive.insert(digest);
        }
    }
    // nginx learns that a replica is dead from a request it sends there: that one went on.
    QVERIFY(retried >= 1);

    // Every image a live replica answered lands in the workspace once, with one prediction.
    // An image whose replica died before answering was answered, and captured, by the next one.
    // Images the killed replica answered are there unless it died before its writer wrote them.
    QHash<QString, int> rows;
    const auto missingFromLive = [&] {
        rows = captured();
        int missing = 0;
        for (const QString &digest : std::as_const(fromLive)) {
            missing += rows.contains(digest) ? 0 : 1;
        }
        return missing;
    };
    QTRY_COMPARE_WITH_TIMEOUT(missingFromLive(), 0, 20000 * factor);
    int lostWithKilled = 0;
    for (const QString &digest : std::as_const(fromKilled)) {
        lostWithKilled += rows.contains(digest) ? 0 : 1;
    }
    for (auto row = rows.cbegin(); row != rows.cend(); ++row) {
        QVERIFY2(fromLive.contains(row.key()) || fromKilled.contains(row.key()),
                 qPrintable(row.key()));
        QCOMPARE(row.value(), 1);
    }
    QCOMPARE(rows.size(), total - lostWithKilled);
    QVERIFY(onKilled - lostWithKilled >= 10); // what it wrote before it died stays
    qInfo("%lld requests through nginx, none failed; %d sent on to another replica after one "
          "failed; %d answered by the killed replica, %d of whose captures died with it; %lld "
          "rows",
          static_cast<qint64>(total), retried, onKilled, lostWithKilled,
          static_cast<qint64>(rows.size()));
}

void tst_Replicas::imageAnsweredByTwoReplicasIsCapturedOnce()
{
    // As when a replica captures an image and dies before answering, and nginx sends the
    // request to another: both replicas capture the same pixels.
    QVERIFY(startReplicas());
    const QByteArray twice = pixelsOf(7, 2);
    const QString digest = storage::BlobStore::digestOf(twice);
    QStringList later;
    for (int i = 0; i < 2; ++i) {
        HttpClient client(Loopback, m_replicas.at(i)->port);
        QCOMPARE(
            client.request("POST", Infer, bodyOf(twice), "application/json", Authorized).status,
            200);
        // Sent after it: once this one is stored, the replica's writer has handled the repeated
        // image too (it writes in order).
        const QByteArray after = pixelsOf(8 + i, 2);
        later << storage::BlobStore::digestOf(after);
        QCOMPARE(
            client.request("POST", Infer, bodyOf(after), "application/json", Authorized).status,
            200);
    }
    QTRY_VERIFY(captured().contains(later.at(0)) && captured().contains(later.at(1)));
    const QHash<QString, int> rows = captured();
    QVERIFY(rows.contains(digest));
    QCOMPARE(rows.value(digest), 1); // one row, one prediction
}

QTEST_GUILESS_MAIN(tst_Replicas)
#include "tst_replicas.moc"
