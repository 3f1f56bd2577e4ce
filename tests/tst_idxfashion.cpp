#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "storage/imagerepository.h"
#include "tests/support/testdata.h"

#include <QFile>
#include <QTest>

using namespace digitdesk;

namespace {

// Debian's dataset-fashion-mnist ships the genuine IDX files, gzipped.
const QString Folder = QStringLiteral("/usr/share/datasets/fashion-mnist");

} // namespace

class tst_IdxFashion : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsTheGenuineFiles();
    void importsTheTestPair();
    void readsTheDemoDigits();
};

void tst_IdxFashion::initTestCase()
{
    QVERIFY2(QFile::exists(Folder + QStringLiteral("/t10k-images-idx3-ubyte.gz")),
             "install dataset-fashion-mnist (installer/deps-debian.sh does)");
}

void tst_IdxFashion::readsTheGenuineFiles()
{
    const annotation::IdxArray images =
        annotation::readIdxFile(Folder + QStringLiteral("/t10k-images-idx3-ubyte.gz"));
    QCOMPARE(images.dimensions, (std::vector<int>{10000, 28, 28}));
    QCOMPARE(images.data.size(), 10000 * 784);
    const annotation::IdxArray labels =
        annotation::readIdxFile(Folder + QStringLiteral("/t10k-labels-idx1-ubyte.gz"));
    QCOMPARE(labels.dimensions, (std::vector<int>{10000}));
    // Fashion-MNIST's test set has 1,000 of each of its ten classes.
    int counts[10] = {};
    for (char label : labels.data) {
        QVERIFY(static_cast<unsigned char>(label) < 10);
        ++counts[static_cast<unsigned char>(label)];
    }
    for (int count : counts) {
        QCOMPARE(count, 1000);
    }
    QCOMPARE(annotation::readIdxDimensions(Folder + QStringLiteral("/train-images-idx3-ubyte.gz")),
             (std::vector<int>{60000, 28, 28}));
}

void tst_IdxFashion::importsTheTestPair()
{
    testing::TempWorkspace temp;
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    annotation::Importer importer(temp.workspace->db(), temp.workspace->blobs(), engineer);
    const annotation::ImportReport report =
        importer.run({Folder + QStringLiteral("/t10k-images-idx3-ubyte.gz")},
                     {QStringLiteral("fashion"), annotation::LabelPolicy::Ignore});
    QVERIFY(report.problems.empty());
    QCOMPARE(report.imported + report.duplicates, 10000);
    QVERIFY(report.imported > 9900);
    storage::ImageFilter filter;
    filter.source = QStringLiteral("fashion");
    QCOMPARE(storage::ImageRepository(temp.workspace->db()).count(filter), report.imported);
}

void tst_IdxFashion::readsTheDemoDigits()
{
    const QString images = testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte"));
    QVERIFY2(QFile::exists(images), "run `make data` first");
    const annotation::IdxArray array = annotation::readIdxFile(images);
    QCOMPARE(array.dimensions, (std::vector<int>{10000, 28, 28}));
    const annotation::IdxArray labels = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    int counts[10] = {};
    for (char label : labels.data) {
        ++counts[static_cast<unsigned char>(label)];
    }
    for (int count : counts) {
        QVERIFY2(count > 800 && count < 1200, qPrintable(QString::number(count)));
    }
}

QTEST_GUILESS_MAIN(tst_IdxFashion)
#include "tst_idxfashion.moc"
