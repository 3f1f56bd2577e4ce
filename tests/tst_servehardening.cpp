// The endpoint against what an operator or a client can get wrong: the serving token kept only
// as its hash, probes that name no file, options whose products overflow, and a model that
// answers NaN. `digitdesk serve` runs as a child process and is spoken to over real sockets.
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "storage/blobstore.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"
#include "tests/support/servemodelsfixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/testdata.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <thread>
#include <vector>

using namespace digitdesk;
using namespace digitdesk::testing;

namespace {

const QByteArray Infer = "/v2/models/digits/infer";
const QString TokenKey = QStringLiteral("serving.token");

// A 28x28 PNG, dark paper with a full-ink square, as the normaliser keeps it.
QByteArray fullInkPng()
{
    QImage image(28, 28, QImage::Format_Grayscale8);
    image.fill(0);
    for (int y = 9; y < 19; ++y) {
        for (int x = 9; x < 19; ++x) {
            image.setPixel(x, y, qRgb(255, 255, 255));
        }
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

HttpAnswer withToken(HttpClient &client, const QByteArray &token)
{
    return client.request("POST", Infer, tensorBody(1, 20), "application/json",
                          {{"Authorization", "Bearer " + token}});
}

} // namespace

class tst_ServeHardening : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void tokenOnTheCommandLineIsRefused();
    void tokenIsStoredAsASaltedHash();
    void plainTextTokenKeepsWorkingAndIsHashed();
    void probesNameNoFiles();
    void largeQueueOptionsStillQueue();
    void fullQueueAnswers503();
    void optionOutOfRangeIsAUsageError_data();
    void optionOutOfRangeIsAUsageError();
    void nonFiniteOutputIsA500WithJson();
    void captureFlushesBeforeItsTransaction();

private:
    void setProduction(qint64 id);
    QString storedToken() const;

    testing::ServeModelsFixture m_models;
};

void tst_ServeHardening::initTestCase()
{
    QVERIFY(m_models.setUp({QStringLiteral("sure7.pt"), QStringLiteral("spare.pt"),
                            QStringLiteral("nan3.pt"), QStringLiteral("unsure.pt")}));
}

void tst_ServeHardening::init()
{
    setProduction(m_models.sure7);
    storage::SettingsRepository(m_models.temp->workspace->db()).setValue(TokenKey, QString());
}

void tst_ServeHardening::setProduction(qint64 id)
{
    storage::ModelRepository models(m_models.temp->workspace->db());
    if (models.aliasTarget(annotation::ProductionAlias) != id) {
        models.moveAlias(annotation::ProductionAlias, id, {QStringLiteral("test"), 0, 0},
                         QStringLiteral("test"));
    }
}

QString tst_ServeHardening::storedToken() const
{
    return storage::SettingsRepository(m_models.temp->workspace->db()).value(TokenKey);
}

void tst_ServeHardening::tokenOnTheCommandLineIsRefused()
{
    const testing::CliRun refused = testing::runDigitdeskOn(
        m_models.folder(), "settings set serving.token", {QStringLiteral("s3cret-token-on-argv")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("settings set serving.token -")),
             qPrintable(refused.err));
    QVERIFY(storedToken().isEmpty());
}

void tst_ServeHardening::tokenIsStoredAsASaltedHash()
{
    const QByteArray token = "s3cret-token-for-the-sorting-office";
    QProcess settings;
    settings.start(QStringLiteral(DIGITDESK_BINARY),
                   {QStringLiteral("settings"), QStringLiteral("set"), TokenKey,
                    QStringLiteral("-"), QStringLiteral("--workspace"), m_models.folder()});
    QVERIFY(settings.waitForStarted());
    settings.write(token + '\n');
    settings.closeWriteChannel();
    QVERIFY(settings.waitForFinished(60000));
    QCOMPARE(settings.exitCode(), 0);
    const QString stored = storedToken();
    QVERIFY2(stored.startsWith(QStringLiteral("sha256:")), qPrintable(stored));
    QVERIFY(!stored.contains(QString::fromLatin1(token)));

    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(), {QStringLiteral("--require-token")}),
             qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    QCOMPARE(withToken(client, "s3cret-token-for-the-sorting-offic").status, 401);
    HttpClient other(Loopback, serve.port);
    QCOMPARE(withToken(other, stored.toLatin1()).status, 401); // the hash is not the token
    HttpClient holder(Loopback, serve.port);
    QCOMPARE(withToken(holder, token).status, 200);
    QCOMPARE(storedToken(), stored); // a hash is left as it is
}

void tst_ServeHardening::plainTextTokenKeepsWorkingAndIsHashed()
{
    // As a workspace set up before tokens were hashed holds it.
    const QByteArray token = "an-older-workspace-token";
    storage::SettingsRepository(m_models.temp->workspace->db())
        .setValue(TokenKey, QString::fromLatin1(token));
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(), {QStringLiteral("--require-token")}),
             qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    QCOMPARE(withToken(client, token).status, 200);
    const QString stored = storedToken();
    QVERIFY2(stored.startsWith(QStringLiteral("sha256:")), qPrintable(stored));
    QVERIFY(!stored.contains(QString::fromLatin1(token)));
    QVERIFY(serve.log().contains(QStringLiteral("stored in plain text")));
    HttpClient anonymous(Loopback, serve.port);
    QCOMPARE(anonymous.request("POST", Infer, tensorBody(1, 20), "application/json").status, 401);
}

void tst_ServeHardening::probesNameNoFiles()
{
    // Production's file is damaged after it was registered: nothing can be served.
    const qint64 spare = m_models.spare;
    annotation::ModelRegistry registry(m_models.temp->workspace->db(),
                                       m_models.temp->workspace->root());
    const QString path = registry.absolutePath(registry.find(spare));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("not a model any more");
    file.close();
    setProduction(spare);
    const QByteArray token = "s3cret-token-for-the-sorting-office";
    storage::SettingsRepository(m_models.temp->workspace->db())
        .setValue(TokenKey, QString::fromLatin1(token));
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(), {QStringLiteral("--require-token")}),
             qPrintable(serve.log()));
    QVERIFY(serve.waitForLog(QStringLiteral("could not be loaded"), 20000));
    const QString root = m_models.temp->workspace->root();
    QVERIFY2(serve.log().contains(root), qPrintable(serve.log())); // the log names the file

    HttpClient client(Loopback, serve.port);
    for (const QByteArray &probe :
         {QByteArray("/v2/health/ready"), QByteArray("/v2/models/digits/ready")}) {
        const HttpAnswer answer = client.request("GET", probe);
        QCOMPARE(answer.status, 503);
        QVERIFY2(!answer.body.contains(root.toUtf8()) && !answer.body.contains(".pt"),
                 answer.body.constData());
        if (probe == "/v2/health/ready") {
            QVERIFY2(errorOf(answer).contains(
                         QStringLiteral("model %1 could not be loaded: see the endpoint's log")
                             .arg(spare)),
                     answer.body.constData());
        }
    }
    // A client with the token is told the whole reason.
    const HttpAnswer metadata =
        client.request("GET", "/v2/models/digits", {}, {}, {{"Authorization", "Bearer " + token}});
    QCOMPARE(metadata.status, 503);
    QVERIFY2(errorOf(metadata).contains(root), metadata.body.constData());
}

void tst_ServeHardening::largeQueueOptionsStillQueue()
{
    // 1,000,000 x 4,096 images is past a signed int: the image bound must still admit a second
    // request while the first waits for its batch-mates.
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(),
                         {QStringLiteral("--max-queue"), QStringLiteral("1000000"),
                          QStringLiteral("--max-batch"), QStringLiteral("4096"),
                          QStringLiteral("--max-delay-us"), QStringLiteral("400000")}),
             qPrintable(serve.log()));
    constexpr int Clients = 4;
    std::vector<int> statuses(Clients, 0);
    std::vector<std::thread> clients;
    for (int c = 0; c < Clients; ++c) {
        clients.emplace_back([&, c] {
            HttpClient client(Loopback, serve.port);
            statuses[static_cast<size_t>(c)] =
                client.request("POST", Infer, tensorBody(1, 20 + c), "application/json").status;
        });
    }
    for (std::thread &client : clients) {
        client.join();
    }
    QCOMPARE(statuses, std::vector<int>(Clients, 200));
}

void tst_ServeHardening::fullQueueAnswers503()
{
    ServeProcess serve;
    QVERIFY2(serve.start(m_models.folder(),
                         {QStringLiteral("--max-queue"), QStringLiteral("1"),
                          QStringLiteral("--max-batch"), QStringLiteral("4096"),
                          QStringLiteral("--max-delay-us"), QStringLiteral("3000000")}),
             qPrintable(serve.log()));
    int first = 0;
    std::thread waiting([&] {
        HttpClient client(Loopback, serve.port);
        first = client.request("POST", Infer, tensorBody(1, 20), "application/json").status;
    });
    HttpClient client(Loopback, serve.port);
    const auto pending = [&] {
        for (const QByteArray &row : client.request("GET", "/metrics").body.split('\n')) {
            if (row.startsWith("nv_inference_pending_request_count")) {
                return row.mid(row.lastIndexOf(' ') + 1).toDouble();
            }
        }
        return -1.0;
    };
    QTRY_COMPARE_WITH_TIMEOUT(pending(), 1.0, 10000);
    const HttpAnswer refused = client.request("POST", Infer, tensorBody(1, 30), "application/json");
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("Retry-After"), QByteArray("1"));
    QVERIFY2(errorOf(refused).contains(QStringLiteral("the queue is full")),
             refused.body.constData());
    waiting.join();
    QCOMPARE(first, 200);
}

void tst_ServeHardening::optionOutOfRangeIsAUsageError_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::newRow("batch over 4096") << "max-batch"
                                     << "4097";
    QTest::newRow("queue of none") << "max-queue"
                                   << "0";
    QTest::newRow("queue past 64 bits") << "max-queue"
                                        << "99999999999999999999";
    QTest::newRow("negative delay") << "max-delay-us"
                                    << "-1";
    QTest::newRow("body of 2 GB") << "max-body-mb"
                                  << "2048";
    QTest::newRow("workers") << "workers"
                             << "17";
}

void tst_ServeHardening::optionOutOfRangeIsAUsageError()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    const testing::CliRun run = testing::runDigitdeskOn(
        m_models.folder(), "serve",
        {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--") + option, value});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("--%1 takes a whole number").arg(option)),
             qPrintable(run.err));
}

void tst_ServeHardening::nonFiniteOutputIsA500WithJson()
{
    setProduction(m_models.nan3);
    const qint64 imagesBefore = m_models.count(QStringLiteral("SELECT COUNT(*) FROM images"));
    ServeProcess serve(ServeProcess::Ending::Terminate);
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    HttpClient client(Loopback, serve.port);
    QCOMPARE(client.request("POST", Infer, tensorBody(1, 20), "application/json").status, 200);

    const HttpAnswer tensor = client.request("POST", Infer, tensorBody(2, 255), "application/json");
    QCOMPARE(tensor.status, 500);
    QVERIFY2(errorOf(tensor).contains(QStringLiteral("not a finite number")),
             tensor.body.constData());
    const HttpAnswer png = client.request("POST", "/v1/predict", fullInkPng(), "image/png");
    QCOMPARE(png.status, 500);
    QVERIFY2(errorOf(png).contains(QStringLiteral("not a finite number")), png.body.constData());

    // Nothing the model said about those images reaches the annotation queue.
    serve.terminate();
    QVERIFY(serve.waitForExit(30000));
    QCOMPARE(m_models.count(QStringLiteral("SELECT COUNT(*) FROM images")), imagesBefore);
}

void tst_ServeHardening::captureFlushesBeforeItsTransaction()
{
    // Every answer is under the capture threshold: each request is a captured image whose
    // original is flushed to disk, now before the writer takes the database's write lock.
    setProduction(m_models.unsure);
    const annotation::Principal annotator = testing::addUser(
        *m_models.temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const std::vector<qint64> queued =
        testing::addIncomingImages(*m_models.temp->workspace, 900, 40);
    ServeProcess serve(ServeProcess::Ending::Terminate);
    QVERIFY2(serve.start(m_models.folder()), qPrintable(serve.log()));
    std::vector<QByteArray> sent;
    for (int i = 0; i < 120; ++i) {
        sent.push_back(
            testing::encodeRing(QStringLiteral(".png"), 64 + i, 64, 32, 32, 8 + i % 20, true));
    }
    int answered = 0;
    std::thread traffic([&] {
        HttpClient client(Loopback, serve.port);
        for (const QByteArray &png : sent) {
            answered += client.request("POST", "/v1/predict", png, "image/png").status == 200;
        }
    });
    // An annotator labels, in the GUI's way, while the endpoint captures.
    annotation::AnnotationService annotate(m_models.temp->workspace->db());
    std::vector<double> commitMs;
    for (qint64 id : queued) {
        QElapsedTimer timer;
        timer.start();
        annotate.label(annotator, id, storage::Label::fromDigit(1), 500);
        commitMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    traffic.join();
    QCOMPARE(answered, static_cast<int>(sent.size()));
    serve.terminate();
    QVERIFY(serve.waitForExit(30000));
    std::sort(commitMs.begin(), commitMs.end());
    qInfo("label commits beside the capture: median %.2f ms, slowest %.2f ms",
          commitMs[commitMs.size() / 2], commitMs.back());

    // Every captured image names an original that is on disk, with the bytes a client sent.
    const storage::BlobStore blobs(m_models.temp->workspace->root() + QStringLiteral("/blobs"));
    storage::SqlQuery query(m_models.temp->workspace->db(),
                            QStringLiteral("SELECT original_sha256 FROM images WHERE source = "
                                           "'serving' AND original_sha256 IS NOT NULL"),
                            QStringLiteral("read captured originals"));
    query.exec();
    int originals = 0;
    while (query.next()) {
        const QString digest = query.value(0).toString();
        QVERIFY2(blobs.contains(digest), qPrintable(digest));
        QVERIFY(std::find(sent.begin(), sent.end(), blobs.read(digest)) != sent.end());
        ++originals;
    }
    QVERIFY2(originals >= 10, qPrintable(QString::number(originals)));
    QCOMPARE(
        m_models.count(QStringLiteral("SELECT COUNT(*) FROM images i WHERE source = 'serving' AND "
                                      "NOT EXISTS (SELECT 1 FROM predictions p WHERE p.image_id = "
                                      "i.id)")),
        0);
}

QTEST_GUILESS_MAIN(tst_ServeHardening)
#include "tst_servehardening.moc"
