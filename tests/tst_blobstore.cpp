#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/storageerror.h"
#include "storage/workspacechecker.h"
#include "tests/support/pngbytes.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QTest>

using namespace digitdesk;

namespace {

// A scan and its 28x28 pixels, different for every seed; the store never decodes either.
QByteArray scanOf(int seed)
{
    return testing::uniformPng(40, 40, QByteArray("\x08\x00", 2), 40, char(seed));
}

QByteArray pixelsOf(int seed)
{
    return QByteArray(784, char(seed));
}

} // namespace

class tst_BlobStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesByDigestOnce();
    void leavesNoTemporaryFiles();
    void rejectsBadDigests();
    void putRepairsAShortOrDamagedBlob_data();
    void putRepairsAShortOrDamagedBlob();
    void checkFindsMissingAndDamagedBlobs();
};

void tst_BlobStore::storesByDigestOnce()
{
    testing::TempWorkspace temp;
    const storage::BlobStore &blobs = temp.workspace->blobs();
    const QByteArray bytes("a scan of a seven");
    const QString digest = blobs.put(bytes);
    QCOMPARE(digest, QStringLiteral("%1").arg(QString::fromLatin1(
                         QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex())));
    QVERIFY(blobs.contains(digest));
    QCOMPARE(blobs.read(digest), bytes);
    QVERIFY(blobs.pathOf(digest).endsWith(digest.left(2) + QLatin1Char('/') + digest));
    QCOMPARE(blobs.put(bytes), digest);
    blobs.flush();
}

void tst_BlobStore::leavesNoTemporaryFiles()
{
    testing::TempWorkspace temp;
    for (int i = 0; i < 50; ++i) {
        temp.workspace->blobs().put(QByteArray::number(i));
    }
    int files = 0;
    QDirIterator it(temp.workspace->blobs().root(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QVERIFY2(!it.next().contains(QStringLiteral(".tmp")), qPrintable(it.filePath()));
        ++files;
    }
    QCOMPARE(files, 50);
}

void tst_BlobStore::rejectsBadDigests()
{
    testing::TempWorkspace temp;
    QVERIFY(!temp.workspace->blobs().contains(QStringLiteral("../../etc/passwd")));
    QVERIFY(testing::throws<storage::StorageError>(
        [&] { temp.workspace->blobs().pathOf(QStringLiteral("../x")); }));
}

void tst_BlobStore::putRepairsAShortOrDamagedBlob_data()
{
    QTest::addColumn<qint64>("keep"); // bytes left of the blob
    QTest::addColumn<bool>("flip");   // one byte changed, the size kept
    QTest::newRow("cut short by a full disk") << qint64(4000) << false;
    QTest::newRow("empty after a crash") << qint64(0) << false;
    QTest::newRow("damaged, the size right") << qint64(-1) << true;
}

// A blob already at its name is trusted only when its size and digest are right: storing the
// same scan again rewrites a short or damaged one, which `workspace check` reports until then.
void tst_BlobStore::putRepairsAShortOrDamagedBlob()
{
    QFETCH(qint64, keep);
    QFETCH(bool, flip);
    testing::TempWorkspace temp;
    const storage::BlobStore &blobs = temp.workspace->blobs();
    QByteArray scan = scanOf(9);
    scan += QByteArray(12000, '\x5a'); // past QFile's 16 KiB buffer once, as a scan is
    storage::NewImage image;
    image.pixels = pixelsOf(1);
    image.sha256 = storage::BlobStore::digestOf(image.pixels);
    image.source = QStringLiteral("repair");
    image.originalSha256 = blobs.put(scan);
    storage::ImageRepository(temp.workspace->db()).insert(image, {QStringLiteral("test"), 0, 0});

    QFile file(blobs.pathOf(image.originalSha256));
    if (flip) {
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(100));
        QCOMPARE(file.write("!"), qint64(1));
        file.close();
    } else {
        QVERIFY(file.resize(keep));
    }
    const storage::WorkspaceCheckReport damaged = storage::checkWorkspace(*temp.workspace);
    QCOMPARE(damaged.problems.size(), 1);
    QVERIFY2(damaged.problems.front().contains(QStringLiteral("damaged")),
             qPrintable(damaged.problems.front()));

    QCOMPARE(blobs.put(scan), image.originalSha256);
    QCOMPARE(blobs.read(image.originalSha256), scan);
    QVERIFY(storage::checkWorkspace(*temp.workspace).ok());
}

void tst_BlobStore::checkFindsMissingAndDamagedBlobs()
{
    testing::TempWorkspace temp;
    const storage::BlobStore &blobs = temp.workspace->blobs();
    storage::ImageRepository images(temp.workspace->db());
    QStringList digests;
    for (int i = 0; i < 3; ++i) {
        const QByteArray scan = scanOf(8 + i);
        storage::NewImage image;
        image.pixels = pixelsOf(i);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("check");
        image.originalSha256 = blobs.put(scan);
        images.insert(image, {QStringLiteral("test"), 0, 0});
        digests << image.originalSha256;
    }
    QVERIFY(storage::checkWorkspace(*temp.workspace).ok());
    QCOMPARE(storage::checkWorkspace(*temp.workspace).blobsChecked, 3);

    QFile::remove(blobs.pathOf(digests[0]));
    QFile damaged(blobs.pathOf(digests[1]));
    QVERIFY(damaged.open(QIODevice::Append));
    damaged.write("garbage");
    damaged.close();

    const storage::WorkspaceCheckReport report = storage::checkWorkspace(*temp.workspace);
    QCOMPARE(report.problems.size(), 2);
    QVERIFY(
        report.problems.join(QLatin1Char('\n')).contains(digests[0] + QStringLiteral(": missing")));
    QVERIFY(report.problems.join(QLatin1Char('\n')).contains(QStringLiteral("damaged")));
}

QTEST_GUILESS_MAIN(tst_BlobStore)
#include "tst_blobstore.moc"
