#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "storage/workspace.h"
#include "tests/support/childmemory.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

using namespace digitdesk;
using testing::MeasuredRun;

namespace {

// What one `digitdesk import` may hold resident, whatever the file: the binary with LibTorch
// loaded takes about 180 MB before it reads a byte, and one batch adds at most 64 MiB of file
// contents. Before the limits, these files took it past 12 GB.
constexpr qint64 MemoryBoundKb = 400 * 1024 * testing::SanitizerMemoryFactor;
// Past this the child is killed, so a broken limit fails the test rather than the machine.
constexpr qint64 CeilingKb = 1536 * 1024;
constexpr int GoodImages = 20;

QByteArray idxHeader(std::initializer_list<quint32> dimensions)
{
    QByteArray header("\0\0\x08", 3);
    header.append(static_cast<char>(dimensions.size()));
    for (quint32 value : dimensions) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            header.append(static_cast<char>((value >> shift) & 0xff));
        }
    }
    return header;
}

// A .gz of `head` followed by `pattern` repeated until `total` bytes, deflated as run lengths:
// a gigabyte costs a megabyte on disk and a few seconds here.
bool writeGzip(const QString &path, const QByteArray &head, const QByteArray &pattern, qint64 total)
{
    QFile file(path);
    z_stream stream{};
    if (!file.open(QIODevice::WriteOnly) ||
        deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_RLE) != Z_OK) {
        return false;
    }
    QByteArray chunk = pattern.repeated(std::max<qsizetype>(1, (16 << 20) / pattern.size()));
    QByteArray out(1 << 20, Qt::Uninitialized);
    qint64 written = 0;
    bool ok = true;
    const auto deflateAll = [&](const QByteArray &in, int flush) {
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
        stream.avail_in = static_cast<uInt>(in.size());
        do {
            stream.next_out = reinterpret_cast<Bytef *>(out.data());
            stream.avail_out = static_cast<uInt>(out.size());
            deflate(&stream, flush);
            const qint64 produced = out.size() - stream.avail_out;
            ok = ok && file.write(out.constData(), produced) == produced;
        } while (stream.avail_out == 0);
    };
    deflateAll(head, Z_NO_FLUSH);
    for (written = head.size(); written < total; written += chunk.size()) {
        deflateAll(chunk, Z_NO_FLUSH);
    }
    deflateAll({}, Z_FINISH);
    deflateEnd(&stream);
    return ok;
}

// A file of `size` bytes that starts with `head` and ends in a hole: the file system stores
// almost nothing, a reader sees zeros.
bool writeSparse(const QString &path, const QByteArray &head, qint64 size)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(head) == head.size() && file.resize(size);
}

} // namespace

class tst_ImportLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void truncatedIdxFiles_data();
    void truncatedIdxFiles();
    void idxHeadersThatLie_data();
    void idxHeadersThatLie();
    void gzipBombs_data();
    void gzipBombs();
    void fiveMillionRowCsv();
    void csvLineWithoutEnd();
    void badRowsStopTheFile();
    void largeScansComeOneBatchAtATime();
    void cleanupTestCase();

private:
    void verifyRefused(const QString &bad, const QString &reason);
    QString path(const QString &relative) const { return m_dir.filePath(relative); }

    QTemporaryDir m_dir;
    QString m_workspace;
    QString m_goodImages;
    int m_row = 0;
};

void tst_ImportLimits::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    QVERIFY2(QFile::exists(testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte"))),
             "run `make data` (make test does) for the demo MNIST files");
    QByteArray pixels;
    QByteArray labels;
    for (int i = 0; i < GoodImages; ++i) {
        pixels += testing::ringPixels(i);
        labels += static_cast<char>(i % 10);
    }
    QDir().mkpath(path(QStringLiteral("good")));
    m_goodImages = path(QStringLiteral("good/good-images-idx3-ubyte"));
    annotation::writeIdxFile(m_goodImages, {GoodImages, 28, 28}, pixels);
    annotation::writeIdxFile(path(QStringLiteral("good/good-labels-idx1-ubyte")), {GoodImages},
                             labels);
}

void tst_ImportLimits::init()
{
    m_workspace = path(QStringLiteral("ws%1").arg(++m_row));
    QVERIFY(storage::Workspace::create(m_workspace));
}

// `digitdesk import BAD --workspace WS`, then `digitdesk import BAD GOOD-PAIR --workspace WS`,
// their memory watched: the bad file is named with its reason, the good pair beside it still
// goes in, and the process ends by itself with "done with problems" within its memory.
void tst_ImportLimits::verifyRefused(const QString &bad, const QString &reason)
{
    for (const bool withGoodPair : {false, true}) {
        const QStringList good = withGoodPair ? QStringList{m_goodImages} : QStringList{};
        const MeasuredRun run =
            testing::runMeasured(QStringLiteral(DIGITDESK_BINARY),
                                 QStringList{QStringLiteral("import"), bad} + good +
                                     QStringList{QStringLiteral("--workspace"), m_workspace},
                                 CeilingKb);
        QVERIFY2(run.finished, qPrintable(run.describe()));
        QCOMPARE(run.exitCode, 5);
        QVERIFY2(run.err.contains(QStringLiteral("skipped %1: %2").arg(bad, reason)),
                 qPrintable(run.describe()));
        QVERIFY2(run.out.contains(
                     QStringLiteral("Imported %1 image(s)").arg(withGoodPair ? GoodImages : 0)),
                 qPrintable(run.out));
        QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
    }
}

void tst_ImportLimits::truncatedIdxFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QFile mnist(testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    QVERIFY(mnist.open(QIODevice::ReadOnly));
    const QByteArray head = mnist.read(1000);
    QFile fashion(QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    QVERIFY2(fashion.open(QIODevice::ReadOnly), "install dataset-fashion-mnist");
    const QString promises = QStringLiteral("the header promises 7840000 bytes of data but the "
                                            "file holds %1 (truncated)");
    QTest::newRow("MNIST images, first 16 bytes")
        << "cut-images-idx3-ubyte" << head.left(16) << promises.arg(0);
    QTest::newRow("MNIST images, first 1,000 bytes")
        << "cut-images-idx3-ubyte" << head << promises.arg(984);
    QTest::newRow("Fashion-MNIST .gz, first 1,000 bytes")
        << "cut-images-idx3-ubyte.gz" << fashion.read(1000)
        << QStringLiteral("truncated gzip data");
    QTest::newRow("header cut short")
        << "cut-images-idx3-ubyte" << head.left(10) << QStringLiteral("truncated IDX header");
    QTest::newRow("empty") << "cut-images-idx3-ubyte" << QByteArray()
                           << QStringLiteral(
                                  "not an IDX file: shorter than its 4-byte magic number");
}

void tst_ImportLimits::truncatedIdxFiles()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const QString bad = path(QStringLiteral("bad%1/%2").arg(m_row).arg(name));
    QVERIFY(testing::writeFile(bad, bytes));
    verifyRefused(bad, reason);
}

void tst_ImportLimits::idxHeadersThatLie_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("size"); // past the bytes, a hole of zeros
    QTest::addColumn<QString>("reason");
    const QString tooMuch = QStringLiteral("the IDX header declares %1 bytes of data, more than "
                                           "the 1024 MiB an IDX file may hold");
    QTest::newRow("100,000,000 images of 0 x 0 pixels")
        << "lie-images-idx3-ubyte" << idxHeader({100'000'000, 0, 0}) << qint64(0)
        << QStringLiteral("IDX dimension 1 is 0, so its items hold no data");
    QTest::newRow("100,000,000 images of 28 x 28 pixels in 16 bytes")
        << "lie-images-idx3-ubyte" << idxHeader({100'000'000, 28, 28}) << qint64(0)
        << tooMuch.arg(QStringLiteral("100000000 x 28 x 28"));
    QTest::newRow("a product past 64 bits")
        << "lie-images-idx3-ubyte" << idxHeader({100'000'000, 100'000'000, 100'000'000})
        << qint64(0) << tooMuch.arg(QStringLiteral("100000000 x 100000000 x 100000000"));
    QTest::newRow("a dimension of four billion")
        << "lie-images-idx3-ubyte" << idxHeader({10, 0xffffffffu, 28}) << qint64(0)
        << QStringLiteral("IDX dimension 1 is implausibly large (4294967295)");
    QTest::newRow("10,000 images in 16 bytes")
        << "lie-images-idx3-ubyte" << idxHeader({10'000, 28, 28}) << qint64(0)
        << QStringLiteral("the header promises 7840000 bytes of data but the file holds 0 "
                          "(truncated)");
    QTest::newRow("one image of 64 megapixels")
        << "lie-images-idx3-ubyte" << idxHeader({1, 8000, 8000}) << qint64(16 + 64'000'000)
        << QStringLiteral("images of 8000 x 8000 pixels, more than the 50000000 pixels");
    QTest::newRow("gzipped, 100,000,000 images of 28 x 28 pixels")
        << "lie-images-idx3-ubyte.gz" << QByteArray() << qint64(0)
        << tooMuch.arg(QStringLiteral("100000000 x 28 x 28"));
}

void tst_ImportLimits::idxHeadersThatLie()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, size);
    QFETCH(QString, reason);
    const QString bad = path(QStringLiteral("bad%1/%2").arg(m_row).arg(name));
    QDir().mkpath(QFileInfo(bad).path());
    if (name.endsWith(QStringLiteral(".gz"))) {
        QVERIFY(writeGzip(bad, idxHeader({100'000'000, 28, 28}), QByteArray(1, '\0'), 16));
    } else {
        QVERIFY(writeSparse(bad, bytes, std::max<qint64>(size, bytes.size())));
    }
    verifyRefused(bad, reason);
}

void tst_ImportLimits::gzipBombs_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QString>("reason");
    // 1,000 images promised, then a gigabyte of zeros: inflated only as far as the promise.
    QTest::newRow("IDX images, a gigabyte past its header")
        << "bomb-images-idx3-ubyte.gz" << idxHeader({1000, 28, 28}) << QByteArray(1, '\0')
        << QStringLiteral("the header promises 784000 bytes of data but the file holds more "
                          "(trailing bytes)");
    // Lines short enough and few enough to pass as rows: the inflation limit stops it.
    QTest::newRow("CSV, more than a gigabyte of rows")
        << "bomb.csv.gz" << QByteArray() << QByteArray(16000, '0') + '\n'
        << QStringLiteral("inflates to more than 1024 MiB, the limit for a .gz file");
}

void tst_ImportLimits::gzipBombs()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, pattern);
    QFETCH(QString, reason);
    const QString bad = path(QStringLiteral("bad%1/%2").arg(m_row).arg(name));
    QDir().mkpath(QFileInfo(bad).path());
    QVERIFY(writeGzip(bad, head, pattern, annotation::MaxInflatedBytes + (64 << 20)));
    QVERIFY(QFileInfo(bad).size() < 8 * 1024 * 1024);
    verifyRefused(bad, reason);
}

void tst_ImportLimits::fiveMillionRowCsv()
{
    const QString bad = path(QStringLiteral("rows.csv"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QByteArray rows = QByteArray("1,2\n").repeated(100'000);
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(file.write(rows), rows.size());
    }
    file.close();
    verifyRefused(bad, QStringLiteral("more than %1 rows, the most one CSV file may hold")
                           .arg(annotation::Importer::MaxCsvRows));
}

void tst_ImportLimits::badRowsStopTheFile()
{
    const QString bad = path(QStringLiteral("bad.csv"));
    QVERIFY(testing::writeFile(bad, QByteArray("1,2,3\n").repeated(5000)));
    verifyRefused(
        bad,
        QStringLiteral("stopped after %1 bad items").arg(annotation::Importer::MaxBadItemsPerFile));
}

void tst_ImportLimits::csvLineWithoutEnd()
{
    const QString bad = path(QStringLiteral("line.csv"));
    QVERIFY(writeSparse(bad, "7,", 400LL * 1024 * 1024));
    verifyRefused(bad, QStringLiteral("line 1 is longer than %1 bytes")
                           .arg(annotation::Importer::MaxCsvLineBytes));
}

// Eight scans of 50 MB each (a small PNG and a long tail, which decoders ignore) are read one
// batch at a time: a batch stops at 64 MiB of file contents, not at 512 files.
void tst_ImportLimits::largeScansComeOneBatchAtATime()
{
    constexpr int Scans = 8;
    QVERIFY(QDir().mkpath(path(QStringLiteral("scans"))));
    for (int i = 0; i < Scans; ++i) {
        const QByteArray png =
            testing::encodeRing(QStringLiteral("png"), 80, 80, 40, 40, 10 + 2 * i, true);
        QVERIFY(writeSparse(path(QStringLiteral("scans/scan%1.png").arg(i)), png, 50'000'000));
    }
    const MeasuredRun run =
        testing::runMeasured(QStringLiteral(DIGITDESK_BINARY),
                             {QStringLiteral("import"), path(QStringLiteral("scans")),
                              QStringLiteral("--workspace"), m_workspace},
                             CeilingKb);
    QVERIFY2(run.finished, qPrintable(run.describe()));
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("Imported %1 image(s)").arg(Scans)),
             qPrintable(run.out));
    QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
}

void tst_ImportLimits::cleanupTestCase()
{
    // Every child's largest resident set, its last milliseconds included.
    QVERIFY2(
        testing::childrenPeakKb() <= MemoryBoundKb,
        qPrintable(QStringLiteral("a child reached %1 MB").arg(testing::childrenPeakKb() / 1024)));
}

QTEST_GUILESS_MAIN(tst_ImportLimits)
#include "tst_importlimits.moc"
