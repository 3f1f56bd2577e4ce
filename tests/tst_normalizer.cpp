#include "annotation/imagenormalizer.h"
#include "tests/support/testdata.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace digitdesk;
using annotation::ImageNormalizer;
using annotation::NormalizedImage;

namespace {

struct Moments
{
    double mass = 0;
    double cx = 0;
    double cy = 0;
    int left = 28, top = 28, right = -1, bottom = -1;
};

Moments measure(const QByteArray &pixels)
{
    Moments m;
    for (int y = 0; y < 28; ++y) {
        for (int x = 0; x < 28; ++x) {
            const double v = static_cast<unsigned char>(pixels[y * 28 + x]);
            m.mass += v;
            m.cx += v * x;
            m.cy += v * y;
            if (v > 0) {
                m.left = std::min(m.left, x);
                m.right = std::max(m.right, x);
                m.top = std::min(m.top, y);
                m.bottom = std::max(m.bottom, y);
            }
        }
    }
    m.cx /= m.mass;
    m.cy /= m.mass;
    return m;
}

QByteArray encode(const cv::Mat &image, const char *extension)
{
    std::vector<uchar> bytes;
    cv::imencode(extension, image, bytes);
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

// An "L": a long vertical and a short horizontal stroke, so that the centre of mass is far
// from the centre of the bounding box and centring has something to do.
cv::Mat drawL(int width, int height, int x, int y, bool darkOnLight)
{
    cv::Mat image(height, width, CV_8U, cv::Scalar(darkOnLight ? 240 : 0));
    const cv::Scalar ink(darkOnLight ? 15 : 255);
    cv::line(image, {x, y}, {x, y + 90}, ink, 9);
    cv::line(image, {x, y + 90}, {x + 40, y + 90}, ink, 9);
    return image;
}

} // namespace

class tst_Normalizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void polarity_data();
    void polarity();
    void centreOfMassIsCentred_data();
    void centreOfMassIsCentred();
    void fitsInTwentyKeepingAspect();
    void everyFormatDecodes_data();
    void everyFormatDecodes();
    void transparentPaperIsPaper();
    void badInputs_data();
    void badInputs();
};

void tst_Normalizer::polarity_data()
{
    QTest::addColumn<bool>("darkOnLight");
    QTest::newRow("dark ink on light paper is inverted") << true;
    QTest::newRow("light ink on dark is kept") << false;
}

void tst_Normalizer::polarity()
{
    QFETCH(bool, darkOnLight);
    const NormalizedImage result =
        ImageNormalizer::fromEncoded(encode(drawL(160, 160, 50, 30, darkOnLight), ".png"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(result.inverted, darkOnLight);
    QCOMPARE(result.pixels.size(), 784);
    // MNIST form: black background, white ink.
    QCOMPARE(static_cast<unsigned char>(result.pixels[0]), 0);
    QCOMPARE(static_cast<unsigned char>(result.pixels[783]), 0);
    int bright = 0;
    for (char p : result.pixels) {
        bright += static_cast<unsigned char>(p) > 200 ? 1 : 0;
    }
    QVERIFY2(bright > 20, qPrintable(QString::number(bright)));
}

void tst_Normalizer::centreOfMassIsCentred_data()
{
    QTest::addColumn<int>("x");
    QTest::addColumn<int>("y");
    QTest::newRow("top left") << 10 << 10;
    QTest::newRow("bottom right") << 300 << 250;
    QTest::newRow("middle") << 160 << 120;
}

void tst_Normalizer::centreOfMassIsCentred()
{
    QFETCH(int, x);
    QFETCH(int, y);
    const NormalizedImage result =
        ImageNormalizer::fromEncoded(encode(drawL(400, 400, x, y, true), ".png"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Moments m = measure(result.pixels);
    QVERIFY2(std::abs(m.cx - 14) <= 1.0 && std::abs(m.cy - 14) <= 1.0,
             qPrintable(QStringLiteral("centre of mass at (%1, %2)").arg(m.cx).arg(m.cy)));
}

void tst_Normalizer::fitsInTwentyKeepingAspect()
{
    // A "1": 12 px wide and 120 px tall must become 20 tall and about 2 wide, not a square.
    cv::Mat image(200, 200, CV_8U, cv::Scalar(0));
    cv::rectangle(image, {94, 40}, {105, 159}, cv::Scalar(255), cv::FILLED);
    const NormalizedImage result = ImageNormalizer::fromEncoded(encode(image, ".png"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    const Moments m = measure(result.pixels);
    QCOMPARE(m.bottom - m.top + 1, 20);
    QVERIFY2(m.right - m.left + 1 <= 3, qPrintable(QString::number(m.right - m.left + 1)));
}

void tst_Normalizer::everyFormatDecodes_data()
{
    QTest::addColumn<QString>("extension");
    for (const char *extension : {"png", "jpg", "bmp", "tiff"}) {
        QTest::newRow(extension) << QString::fromLatin1(extension);
    }
}

void tst_Normalizer::everyFormatDecodes()
{
    QFETCH(QString, extension);
    const QByteArray bytes = testing::encodeRing(extension, 120, 90, 40, 50, 25, true);
    QVERIFY(!bytes.isEmpty());
    const NormalizedImage result = ImageNormalizer::fromEncoded(bytes);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(result.inverted);
}

void tst_Normalizer::transparentPaperIsPaper()
{
    cv::Mat image(100, 100, CV_8UC4, cv::Scalar(0, 0, 0, 0)); // fully transparent black
    cv::circle(image, {50, 50}, 30, cv::Scalar(0, 0, 0, 255), 8);
    const NormalizedImage result = ImageNormalizer::fromEncoded(encode(image, ".png"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(result.inverted);
    QCOMPARE(static_cast<unsigned char>(result.pixels[0]), 0);
}

void tst_Normalizer::badInputs_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const QByteArray png = testing::encodeRing(QStringLiteral("png"), 300, 300, 150, 150, 80, true);
    const QByteArray jpeg =
        testing::encodeRing(QStringLiteral("jpg"), 300, 300, 150, 150, 80, true);
    // A real PNG header that claims 20000 x 20000 pixels, followed by nothing worth decoding.
    QByteArray huge = png.left(33);
    huge[16] = 0;
    huge[17] = 0;
    huge[18] = 0x4e;
    huge[19] = 0x20;
    huge[20] = 0;
    huge[21] = 0;
    huge[22] = 0x4e;
    huge[23] = 0x20;
    huge.append(QByteArray(1000, 'x'));
    cv::Mat blank(50, 50, CV_8U, cv::Scalar(255));

    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty file");
    QTest::newRow("not an image") << QByteArray("hello, world")
                                  << QStringLiteral("not a PNG, JPEG, BMP or TIFF");
    QTest::newRow("truncated PNG")
        << png.left(png.size() / 2) << QStringLiteral("cannot decode PNG");
    QTest::newRow("truncated PNG header") << png.left(12) << QStringLiteral("truncated PNG");
    QTest::newRow("truncated JPEG")
        << jpeg.left(jpeg.size() / 2) << QStringLiteral("truncated JPEG");
    QTest::newRow("20000 x 20000") << huge << QStringLiteral("over the 50-megapixel limit");
    QTest::newRow("blank page") << encode(blank, ".png") << QStringLiteral("no ink found");
}

void tst_Normalizer::badInputs()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const NormalizedImage result = ImageNormalizer::fromEncoded(bytes);
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(reason), qPrintable(result.error));
    QVERIFY(result.pixels.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Normalizer)
#include "tst_normalizer.moc"
