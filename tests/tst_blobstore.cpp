#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/storageerror.h"
#include "storage/workspacechecker.h"
#include "tests/support/testdata.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QTest>

using namespace digitdesk;

class tst_BlobStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesByDigestOnce();
    void leavesNoTemporaryFiles();
    void rejectsBadDigests();
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

void tst_BlobStore::checkFindsMissingAndDamagedBlobs()
{
    testing::TempWorkspace temp;
    const storage::BlobStore &blobs = temp.workspace->blobs();
    storage::ImageRepository images(temp.workspace->db());
    QStringList digests;
    for (int i = 0; i < 3; ++i) {
        const QByteArray scan =
            testing::encodeRing(QStringLiteral("png"), 40, 40, 20, 20, 8 + i, true);
        storage::NewImage image;
        image.pixels = testing::ringPixels(i);
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
