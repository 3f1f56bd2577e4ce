// /v1/predict's work bounded by what a request declares, not by its bytes: a few kilobytes of
// PNG can declare millions of pixels. Only PNG and JPEG signatures are decoded, the pixels the
// headers declare are refused over a per-request budget before anything is decoded, the
// endpoint decodes at most so many pixels a second whoever asks, and decoding never runs on
// the thread that answers the health probes. `digitdesk serve` runs as a child process.
#include "tests/support/childmemory.h"
#include "tests/support/httpclient.h"
#include "tests/support/pngbytes.h"
#include "tests/support/servefixture.h"
#include "tests/support/servemodelsfixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/testdata.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using namespace digitdesk;
using namespace digitdesk::testing;

namespace {

QByteArray encoded(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

QByteArray imagesBody(const QList<QByteArray> &images)
{
    QJsonArray list;
    for (const QByteArray &image : images) {
        list.append(QString::fromLatin1(image.toBase64()));
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("images"), list}})
        .toJson(QJsonDocument::Compact);
}

// Twelve blank 2000 x 2000 PNGs (white, one bit a pixel) in one JSON body of a few
// kilobytes: 48 megapixels to decode.
QByteArray blankPosters()
{
    return imagesBody(QList<QByteArray>(
        12, testing::uniformPng(2000, 2000, QByteArray("\x01\x00", 2), 250, char(255))));
}

// Twelve 2000 x 2000 scans of a large "0": as many pixels, each a digit.
QByteArray ringPosters()
{
    QList<QByteArray> images;
    for (int i = 0; i < 12; ++i) {
        images.append(testing::encodeRing(QStringLiteral(".png"), 2000, 2000, 1000, 1000,
                                          400 + 20 * i, true));
    }
    return imagesBody(images);
}

// The median of liveness probes sent one after another for `ms` milliseconds; -1 when one
// was not answered 200.
double medianProbeMs(HttpClient &client, int ms)
{
    std::vector<double> samples;
    QElapsedTimer whole;
    whole.start();
    while (whole.elapsed() < ms || samples.size() < 20) {
        QElapsedTimer one;
        one.start();
        if (client.request("GET", "/v2/health/live").status != 200) {
            return -1;
        }
        samples.push_back(static_cast<double>(one.nsecsElapsed()) / 1e6);
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return samples[samples.size() / 2];
}

} // namespace

class tst_ServeBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void blankPostersDoNotSlowTheProbe();
    void deepPngIsRefusedBeforeDecoding();
    void onlyPngAndJpegAreDecoded_data();
    void onlyPngAndJpegAreDecoded();
    void perSecondBudgetAnswers503();

private:
    testing::ServeModelsFixture m_models;
    std::unique_ptr<ServeProcess> m_serve; // with the default options
};

void tst_ServeBudget::initTestCase()
{
    QVERIFY(m_models.setUp({QStringLiteral("sure7.pt")}));
    m_serve = std::make_unique<ServeProcess>();
    QVERIFY2(m_serve->start(m_models.folder()), qPrintable(m_serve->log()));
}

void tst_ServeBudget::blankPostersDoNotSlowTheProbe()
{
    // A budget of 16 megapixels a request: the posters' 48 are refused from their headers.
    ServeProcess serve;
    QVERIFY2(
        serve.start(m_models.folder(), {QStringLiteral("--max-decoded-mpx"), QStringLiteral("16")}),
        qPrintable(serve.log()));
    const QByteArray posters = blankPosters();
    QVERIFY2(posters.size() < 64 * 1024, qPrintable(QString::number(posters.size())));
    HttpClient probe(Loopback, serve.port);
    const double unloaded = medianProbeMs(probe, 1000);
    QVERIFY(unloaded >= 0);

    constexpr int Clients = 4;
    std::atomic<bool> stop{false};
    std::vector<std::vector<HttpAnswer>> answers(Clients);
    std::vector<std::thread> clients;
    for (int c = 0; c < Clients; ++c) {
        clients.emplace_back([&, c] {
            HttpClient client(Loopback, serve.port);
            while (!stop) {
                answers[static_cast<size_t>(c)].push_back(
                    client.request("POST", "/v1/predict", posters, "application/json"));
            }
        });
    }
    const double loaded = medianProbeMs(probe, 3000);
    stop = true;
    for (std::thread &client : clients) {
        client.join();
    }
    int requests = 0;
    for (const std::vector<HttpAnswer> &sent : answers) {
        for (const HttpAnswer &answer : sent) {
            ++requests;
            QCOMPARE(answer.status, 413);
            QVERIFY2(errorOf(answer).contains(
                         QStringLiteral("images[0] to images[4] come to 20000000 pixels once "
                                        "decoded, over the endpoint's limit of 16000000")),
                     answer.body.constData());
        }
    }
    qInfo("probe median %.2f ms unloaded, %.2f ms beside %d poster requests of %lld bytes",
          unloaded, loaded, requests, static_cast<long long>(posters.size()));
    QVERIFY(requests >= Clients);
    QVERIFY(loaded >= 0);
    QVERIFY2(loaded < unloaded + 50.0, qPrintable(QString::number(loaded)));
}

void tst_ServeBudget::deepPngIsRefusedBeforeDecoding()
{
    // 392 MB once decoded: 16-bit RGBA
    const QByteArray png =
        testing::uniformPng(7000, 7000, QByteArray("\x10\x06", 2), 7000 * 8, '\0');
    const qint64 peakBefore = testing::statusKb(m_serve->pid(), "VmHWM");
    QVERIFY(peakBefore > 0);
    HttpClient client(Loopback, m_serve->port);
    const HttpAnswer answer = client.request("POST", "/v1/predict", png, "image/png");
    QCOMPARE(answer.status, 400);
    QVERIFY2(errorOf(answer).contains(QStringLiteral("the body: too large: 7000 x 7000 pixels is "
                                                     "over the limit of 4000000 pixels per image")),
             answer.body.constData());
    const qint64 peakAfter = testing::statusKb(m_serve->pid(), "VmHWM");
    qInfo("a %lld-byte PNG of 7000 x 7000 16-bit RGBA: VmHWM %lld -> %lld kB, VmRSS %lld kB",
          static_cast<long long>(png.size()), peakBefore, peakAfter,
          testing::statusKb(m_serve->pid(), "VmRSS"));
    QVERIFY2(peakAfter < peakBefore + 32 * 1024, qPrintable(QString::number(peakAfter)));
    QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
}

void tst_ServeBudget::onlyPngAndJpegAreDecoded_data()
{
    QImage digit(28, 28, QImage::Format_Grayscale8);
    digit.fill(0);
    const QByteArray png = encoded(digit, "PNG");
    const QByteArray jpeg = encoded(digit, "JPEG");
    const QByteArray bmp = encoded(digit, "BMP");
    const QByteArray gif = QByteArray("GIF89a\x1c\x00\x1c\x00", 10) + QByteArray(64, '\0');
    const QByteArray tiff = QByteArray("II*\0\x08\0\0\0", 8) + QByteArray(64, '\0');
    QTest::addColumn<QList<QByteArray>>("images");
    QTest::addColumn<bool>("raw");
    QTest::addColumn<QString>("error");
    QTest::newRow("a BMP after a PNG") << QList<QByteArray>{png, bmp} << false
                                       << "images[1] is not a PNG or JPEG image: it is a BMP file";
    QTest::newRow("a GIF") << QList<QByteArray>{gif, png} << false
                           << "images[0] is not a PNG or JPEG image: its first bytes are no "
                              "image signature";
    QTest::newRow("the first bad one") << QList<QByteArray>{jpeg, tiff, gif} << false
                                       << "images[1] is not a PNG or JPEG image: it is a TIFF file";
    QTest::newRow("a truncated PNG")
        << QList<QByteArray>{png.left(20)} << false << "images[0]: truncated PNG";
    QTest::newRow("a BMP body") << QList<QByteArray>{bmp} << true
                                << "the body is not a usable PNG or JPEG image: it is a BMP file";
}

void tst_ServeBudget::onlyPngAndJpegAreDecoded()
{
    QFETCH(QList<QByteArray>, images);
    QFETCH(bool, raw);
    QFETCH(QString, error);
    HttpClient client(Loopback, m_serve->port);
    const HttpAnswer answer =
        raw ? client.request("POST", "/v1/predict", images.first(), "image/bmp")
            : client.request("POST", "/v1/predict", imagesBody(images), "application/json");
    QCOMPARE(answer.status, 400);
    QVERIFY2(errorOf(answer).startsWith(error), answer.body.constData());
}

void tst_ServeBudget::perSecondBudgetAnswers503()
{
    // 48 megapixels a request, 16 a second: one request's worth takes three seconds to refill
    // (twelve under a sanitizer, where decoding the first request alone takes seconds).
    const int perSecondMpx = 16 / testing::SanitizerTimeFactor;
    ServeProcess serve;
    QVERIFY2(
        serve.start(m_models.folder(),
                    {QStringLiteral("--max-decoded-mpx"), QStringLiteral("48"),
                     QStringLiteral("--max-decoded-mpx-per-s"), QString::number(perSecondMpx)}),
        qPrintable(serve.log()));
    const QByteArray posters = ringPosters();
    HttpClient client(Loopback, serve.port);
    const HttpAnswer decoded = client.request("POST", "/v1/predict", posters, "application/json");
    QCOMPARE(decoded.status, 200);
    QCOMPARE(QJsonDocument::fromJson(decoded.body)
                 .object()
                 .value(QStringLiteral("predictions"))
                 .toArray()
                 .size(),
             12);
    const HttpAnswer refused = client.request("POST", "/v1/predict", posters, "application/json");
    QCOMPARE(refused.status, 503);
    QVERIFY2(refused.header("Retry-After").toInt() >= 1, refused.header("Retry-After").constData());
    QVERIFY2(errorOf(refused).contains(
                 QStringLiteral("decodes at most %1 pixels a second").arg(perSecondMpx * 1000000)),
             refused.body.constData());
    // A digit still passes while the posters wait for their three seconds.
    QImage digit(28, 28, QImage::Format_Grayscale8);
    digit.fill(0);
    QCOMPARE(client.request("POST", "/v1/predict", encoded(digit, "PNG"), "image/png").status, 200);
}

QTEST_GUILESS_MAIN(tst_ServeBudget)
#include "tst_servebudget.moc"
