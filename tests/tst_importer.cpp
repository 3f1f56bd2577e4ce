#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "annotation/reviewservice.h"
#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace digitdesk;
using annotation::ImportReport;
using annotation::LabelPolicy;

namespace {

QString problemsOf(const ImportReport &report)
{
    QStringList lines;
    for (const auto &problem : report.problems) {
        lines << problem.item + QStringLiteral(": ") + problem.reason;
    }
    return lines.join(QLatin1Char('\n'));
}

QString reasonFor(const ImportReport &report, const QString &itemEnd)
{
    for (const auto &problem : report.problems) {
        if (problem.item.endsWith(itemEnd)) {
            return problem.reason;
        }
    }
    return {};
}

qint64 scalar(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test query"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

void writeIdxPair(const QString &folder, const QString &prefix, int count, bool gzip)
{
    QByteArray pixels;
    QByteArray labels;
    for (int i = 0; i < count; ++i) {
        pixels += testing::ringPixels(i);
        labels += static_cast<char>(i % 10);
    }
    const QString suffix = gzip ? QStringLiteral(".gz") : QString();
    QDir().mkpath(folder);
    annotation::writeIdxFile(
        QDir(folder).filePath(prefix + QStringLiteral("-images-idx3-ubyte") + suffix),
        {count, 28, 28}, pixels);
    annotation::writeIdxFile(
        QDir(folder).filePath(prefix + QStringLiteral("-labels-idx1-ubyte") + suffix), {count},
        labels);
}

} // namespace

class tst_Importer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void scanFolderOfEveryFormat();
    void imageFolderLayoutGivesLabels();
    void idxPairs_data();
    void idxPairs();
    void csvWithAndWithoutLabels();
    void badFilesAreReportedAndTheImportGoesOn();
    void idxErrorsAreClear();
    void duplicatesAreReportedNotStored();
    void approvedLabelsGetAReview();
    void importerMayNotApproveTheirUnreviewedLabels();
    void progressAndCancel();

private:
    std::unique_ptr<testing::TempWorkspace> m_temp;
    annotation::Principal m_engineer;
    ImportReport import(const QStringList &paths, LabelPolicy labels = LabelPolicy::Unreviewed,
                        const QString &source = {})
    {
        annotation::Importer importer(m_temp->workspace->db(), m_temp->workspace->blobs(),
                                      m_engineer);
        return importer.run(paths, {source, labels});
    }
    QString path(const QString &relative) const { return m_temp->dir.filePath(relative); }
};

void tst_Importer::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_engineer =
        testing::addUser(*m_temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
}

void tst_Importer::scanFolderOfEveryFormat()
{
    int i = 0;
    for (const QString extension : {"png", "jpg", "jpeg", "bmp", "tif", "tiff"}) {
        QVERIFY(testing::writeFile(
            path(QStringLiteral("scans/batch%1/deeper/scan.%2").arg(i).arg(extension)),
            testing::encodeRing(extension, 90 + 10 * i, 80, 40, 40, 12 + 3 * i, true)));
        ++i;
    }
    QVERIFY(testing::writeFile(path(QStringLiteral("scans/notes.txt")), "not an image"));
    const ImportReport report = import({path(QStringLiteral("scans"))}, LabelPolicy::Unreviewed,
                                       QStringLiteral("post office 7"));
    QVERIFY2(report.problems.empty(), qPrintable(problemsOf(report)));
    QCOMPARE(report.imported, 6);
    QCOMPARE(report.skipped, 1);
    storage::ImageRepository images(m_temp->workspace->db());
    storage::ImageFilter filter;
    filter.source = QStringLiteral("post office 7");
    QCOMPARE(images.count(filter), 6);
    // The original scans are kept in the blob store, named by their digest.
    for (const storage::ImageSummary &summary : images.list(filter)) {
        const auto details = images.details(summary.id);
        QCOMPARE(details->pixels.size(), 784);
        QVERIFY(m_temp->workspace->blobs().contains(details->originalSha256));
        QVERIFY(details->originalName.contains(QStringLiteral("scan.")));
        QCOMPARE(storage::toString(details->status), QStringLiteral("incoming"));
        QCOMPARE(details->importedBy, QStringLiteral("eve"));
    }
}

void tst_Importer::imageFolderLayoutGivesLabels()
{
    for (int digit : {3, 8}) {
        QVERIFY(testing::writeFile(
            path(QStringLiteral("tree/%1/a.png").arg(digit)),
            testing::encodeRing(QStringLiteral("png"), 50, 50, 25, 25, 10 + digit, false)));
    }
    const ImportReport report = import({path(QStringLiteral("tree"))});
    QCOMPARE(report.imported, 2);
    storage::ImageFilter filter;
    filter.status = storage::ImageStatus::Labelled;
    QList<int> labels;
    for (const auto &image : storage::ImageRepository(m_temp->workspace->db()).list(filter)) {
        labels << image.label->digit();
    }
    std::sort(labels.begin(), labels.end());
    QCOMPARE(labels, (QList<int>{3, 8}));
}

void tst_Importer::idxPairs_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzipped") << true;
}

void tst_Importer::idxPairs()
{
    QFETCH(bool, gzip);
    writeIdxPair(path(QStringLiteral("idx")), QStringLiteral("t10k"), 50, gzip);
    // The images file alone brings its labels file along.
    const QString images = path(QStringLiteral("idx/t10k-images-idx3-ubyte")) +
                           (gzip ? QStringLiteral(".gz") : QString());
    const ImportReport report = import({images});
    QVERIFY2(report.problems.empty(), qPrintable(problemsOf(report)));
    QCOMPARE(report.imported, 50);
    QCOMPARE(scalar(m_temp->workspace->db(), QStringLiteral("SELECT COUNT(*) FROM labels")), 50);
    QCOMPARE(scalar(m_temp->workspace->db(),
                    QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'labelled'")),
             50);
    // MNIST-form pixels are stored exactly as they are in the file.
    const auto first = storage::ImageRepository(m_temp->workspace->db()).details(1);
    QCOMPARE(first->pixels, testing::ringPixels(0));
    QCOMPARE(first->label, storage::MaybeLabel(storage::Label::fromDigit(0)));
    QVERIFY(first->originalSha256.isEmpty());
}

void tst_Importer::csvWithAndWithoutLabels()
{
    QByteArray withLabels = "label";
    for (int p = 0; p < 784; ++p) {
        withLabels += ",pixel" + QByteArray::number(p);
    }
    withLabels += '\n';
    QByteArray withoutLabels;
    for (int row = 0; row < 3; ++row) {
        const QByteArray pixels = testing::ringPixels(row + 10);
        QByteArrayList values;
        for (char v : pixels) {
            values << QByteArray::number(static_cast<unsigned char>(v));
        }
        withLabels += QByteArray::number(row + 4) + ',' + values.join(',') + '\n';
        withoutLabels += values.join(',') + "\r\n";
    }
    QVERIFY(testing::writeFile(path(QStringLiteral("a.csv")), withLabels));
    QVERIFY(testing::writeFile(path(QStringLiteral("b.csv")), withoutLabels));
    const ImportReport report =
        import({path(QStringLiteral("a.csv")), path(QStringLiteral("b.csv"))});
    QVERIFY2(report.problems.empty(), qPrintable(problemsOf(report)));
    QCOMPARE(report.imported, 3);
    QCOMPARE(report.duplicates, 3); // b.csv holds the same pixels
    QCOMPARE(scalar(m_temp->workspace->db(), QStringLiteral("SELECT SUM(label) FROM labels")),
             4 + 5 + 6);
}

void tst_Importer::badFilesAreReportedAndTheImportGoesOn()
{
    const QByteArray png = testing::encodeRing(QStringLiteral("png"), 300, 300, 150, 150, 80, true);
    const QByteArray jpeg =
        testing::encodeRing(QStringLiteral("jpg"), 300, 300, 150, 150, 80, true);
    QByteArray huge = png.left(33);
    huge[18] = 0x4e;
    huge[19] = 0x20;
    huge[22] = 0x4e;
    huge[23] = 0x20; // 20000 x 20000
    huge.append(QByteArray(4096, '\0'));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/good.png")), png));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/empty.png")), QByteArray()));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/corrupt.png")),
                               QByteArray("\x89PNG\r\n\x1a\n garbage garbage")));
    QVERIFY(
        testing::writeFile(path(QStringLiteral("mixed/truncated.png")), png.left(png.size() / 2)));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/truncated.jpg")),
                               jpeg.left(jpeg.size() / 2)));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/huge.png")), huge));
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/text.jpg")), "this is text"));
    QVERIFY(
        testing::writeFile(path(QStringLiteral("mixed/zz-good.bmp")),
                           testing::encodeRing(QStringLiteral("bmp"), 60, 60, 30, 30, 14, true)));
    QByteArray badCsv = "1,2,3\n";
    badCsv += "12" + QByteArray(",0").repeated(784) + '\n';
    badCsv += "3" + QByteArray(",300").repeated(784) + '\n';
    QVERIFY(testing::writeFile(path(QStringLiteral("mixed/rows.csv")), badCsv));

    const ImportReport report =
        import({path(QStringLiteral("mixed")), path(QStringLiteral("missing.png"))});
    QCOMPARE(report.imported, 2);
    QVERIFY2(reasonFor(report, QStringLiteral("empty.png")).contains(QStringLiteral("empty file")),
             qPrintable(problemsOf(report)));
    QVERIFY(reasonFor(report, QStringLiteral("corrupt.png")).contains(QStringLiteral("PNG")));
    QVERIFY(reasonFor(report, QStringLiteral("truncated.png"))
                .contains(QStringLiteral("cannot decode PNG")));
    QVERIFY(reasonFor(report, QStringLiteral("truncated.jpg"))
                .contains(QStringLiteral("truncated JPEG")));
    QVERIFY(reasonFor(report, QStringLiteral("huge.png")).contains(QStringLiteral("50-megapixel")));
    QVERIFY(reasonFor(report, QStringLiteral("text.jpg"))
                .contains(QStringLiteral("not a PNG, JPEG, BMP or TIFF")));
    QVERIFY(reasonFor(report, QStringLiteral("rows.csv:1")).contains(QStringLiteral("3 columns")));
    QVERIFY(reasonFor(report, QStringLiteral("rows.csv:2")).contains(QStringLiteral("label '12'")));
    QVERIFY(reasonFor(report, QStringLiteral("rows.csv:3"))
                .contains(QStringLiteral("not an integer 0-255")));
    QVERIFY(
        reasonFor(report, QStringLiteral("missing.png")).contains(QStringLiteral("no such file")));
    QCOMPARE(storage::ImageRepository(m_temp->workspace->db()).count(), 2);
}

void tst_Importer::idxErrorsAreClear()
{
    writeIdxPair(path(QStringLiteral("ok")), QStringLiteral("train"), 10, false);
    // Wrong magic number.
    QVERIFY(testing::writeFile(path(QStringLiteral("bad/magic-images-idx3-ubyte")),
                               QByteArray("\x12\x34\x08\x03") + QByteArray(100, '\0')));
    // Header promises more than the file holds.
    QByteArray truncated =
        QByteArray::fromHex("00000803000000640000001c0000001c") + QByteArray(784 * 3, '\0');
    QVERIFY(testing::writeFile(path(QStringLiteral("bad/short-images-idx3-ubyte")), truncated));
    // Ten images but seven labels.
    writeIdxPair(path(QStringLiteral("bad")), QStringLiteral("mismatch"), 10, false);
    annotation::writeIdxFile(path(QStringLiteral("bad/mismatch-labels-idx1-ubyte")), {7},
                             QByteArray(7, '\1'));

    const ImportReport report = import({path(QStringLiteral("bad")), path(QStringLiteral("ok"))});
    QCOMPARE(report.imported, 10); // the good pair still goes in
    QVERIFY2(reasonFor(report, QStringLiteral("magic-images-idx3-ubyte"))
                 .contains(QStringLiteral("wrong magic number 0x12340803")),
             qPrintable(problemsOf(report)));
    QVERIFY(reasonFor(report, QStringLiteral("short-images-idx3-ubyte"))
                .contains(QStringLiteral("truncated")));
    QVERIFY(reasonFor(report, QStringLiteral("mismatch-images-idx3-ubyte"))
                .contains(QStringLiteral("count mismatch: 10 images but 7 labels")));

    // A labels file alone cannot be imported.
    const ImportReport alone = import({path(QStringLiteral("ok/train-labels-idx1-ubyte"))});
    QVERIFY(reasonFor(alone, QStringLiteral("train-labels-idx1-ubyte"))
                .contains(QStringLiteral("without its images file")));
}

void tst_Importer::duplicatesAreReportedNotStored()
{
    const QByteArray scan = testing::encodeRing(QStringLiteral("png"), 64, 64, 32, 32, 15, true);
    QVERIFY(testing::writeFile(path(QStringLiteral("d/one.png")), scan));
    QVERIFY(testing::writeFile(path(QStringLiteral("d/copy.png")), scan));
    const ImportReport first = import({path(QStringLiteral("d"))});
    QCOMPARE(first.imported, 1);
    QCOMPARE(first.duplicates, 1);
    const ImportReport again = import({path(QStringLiteral("d"))});
    QCOMPARE(again.imported, 0);
    QCOMPARE(again.duplicates, 2);
    QVERIFY(again.duplicateItems.join(QLatin1Char(' ')).contains(QStringLiteral("one.png")));
    QCOMPARE(storage::ImageRepository(m_temp->workspace->db()).count(), 1);
}

void tst_Importer::approvedLabelsGetAReview()
{
    writeIdxPair(path(QStringLiteral("idx")), QStringLiteral("demo"), 20, false);
    const ImportReport report =
        import({path(QStringLiteral("idx/demo-images-idx3-ubyte"))}, LabelPolicy::Approved);
    QCOMPARE(report.imported, 20);
    const QSqlDatabase db = m_temp->workspace->db();
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'approved'")),
             20);
    QCOMPARE(scalar(db, QStringLiteral(
                            "SELECT COUNT(*) FROM reviews r JOIN labels l ON l.id = r.label_id"
                            " WHERE r.verdict = 'approved' AND r.reviewer = 'eve'")),
             20);
    const ImportReport ignored =
        import({path(QStringLiteral("idx/demo-images-idx3-ubyte"))}, LabelPolicy::Ignore);
    QCOMPARE(ignored.duplicates, 20);
}

// Four eyes: whoever imports labels unreviewed is their annotator. Eve, an ML engineer who may
// review, imports labelled digits through the importer the GUI and the command line both use:
// her review queue never offers them, approving one is refused (and audited), Rita approves it.
void tst_Importer::importerMayNotApproveTheirUnreviewedLabels()
{
    writeIdxPair(path(QStringLiteral("idx")), QStringLiteral("mine"), 3, false);
    QCOMPARE(import({path(QStringLiteral("idx/mine-images-idx3-ubyte"))}).imported, 3);
    const annotation::Principal rita =
        testing::addUser(*m_temp->workspace, QStringLiteral("rita"), annotation::Role::Reviewer);
    const QSqlDatabase db = m_temp->workspace->db();
    annotation::ReviewService reviews(db);

    QVERIFY(!reviews.next(m_engineer));
    const auto item = reviews.next(rita);
    QVERIFY(item);
    QCOMPARE(item->labels.size(), size_t(1));
    QCOMPARE(item->labels.front().annotator, QStringLiteral("eve"));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { reviews.approve(m_engineer, item->imageId); }));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE actor = 'eve' AND"
                                       " detail = 'refused: own label (four eyes)'")),
             1);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'approved'")),
             0);

    reviews.approve(rita, item->imageId);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'approved'")),
             1);
}

void tst_Importer::progressAndCancel()
{
    writeIdxPair(path(QStringLiteral("idx")), QStringLiteral("big"), 2000, false);
    annotation::Importer importer(m_temp->workspace->db(), m_temp->workspace->blobs(), m_engineer);
    std::atomic<bool> cancel = false;
    QList<qint64> seen;
    const ImportReport report = importer.run(
        {path(QStringLiteral("idx/big-images-idx3-ubyte"))}, {},
        [&](qint64 done, qint64 total) {
            seen << done;
            QCOMPARE(total, 2000);
            if (done >= annotation::Importer::BatchSize) {
                cancel = true;
            }
        },
        &cancel);
    QVERIFY(report.cancelled);
    QCOMPARE(seen, QList<qint64>{annotation::Importer::BatchSize});
    // The batch before the cancel is committed whole; nothing after it.
    QCOMPARE(storage::ImageRepository(m_temp->workspace->db()).count(),
             annotation::Importer::BatchSize);
}

QTEST_GUILESS_MAIN(tst_Importer)
#include "tst_importer.moc"
