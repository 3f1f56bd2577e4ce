#include "annotation/importer.h"
#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/transaction.h"
#include "tests/support/eventloopgaps.h"
#include "tests/support/guithreadsql.h"
#include "tests/support/testdata.h"
#include "ui/imagebrowserview.h"
#include "ui/imagelistmodel.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace digitdesk;

namespace {

// `count` images straight into the repository: statuses cycle incoming, labelled, approved.
void addImages(const storage::Workspace &workspace, int count, const QString &source)
{
    storage::ImageRepository images(workspace.db());
    storage::Transaction transaction(workspace.db());
    for (int i = 0; i < count; ++i) {
        storage::NewImage image;
        image.pixels = testing::ringPixels(i);
        image.pixels[2] = static_cast<char>(source.size());
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = source;
        image.labelKind = static_cast<storage::ImportedLabel>(i % 3);
        image.label = storage::Label::fromDigit(i % 10);
        images.insert(image, {QStringLiteral("test"), 0, 0});
    }
    transaction.commit();
}

// Scans in folder `s` imported by an ML engineer.
void importScans(const testing::TempWorkspace &temp)
{
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    annotation::Importer(temp.workspace->db(), temp.workspace->blobs(), engineer)
        .run({temp.dir.filePath(QStringLiteral("s"))}, {});
}

// Unprepared, so that DDL runs on PostgreSQL too (QPSQL prepares every SqlQuery).
void exec(const storage::Workspace &workspace, const QString &sql)
{
    storage::execStatement(workspace.db(), sql, QStringLiteral("test"));
}

QString labelText(const ui::ImageBrowserView &view, const char *name)
{
    return view.findChild<QLabel *>(QLatin1String(name))->text();
}

} // namespace

class tst_ImageBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyWorkspaceSaysHowToStart();
    void filtersByStatusAndSource();
    void selectingShowsTheImageAndItsScan();
    void hundredThousandImages();
    void importFromTheMainWindow();
    void annotatorCannotSeeImport();
    void largeScanLoadsWhileTheEventLoopRuns();
    void scanDeletedAfterTheListLoadedIsSaid();
    void brokenDatabaseIsSaidAndTheViewGoesOn();
    void initTestCase() { testing::GuiThreadSql::install(); }
    // A connection used from a thread that does not own it is a failure, not a warning.
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("does not belong to the calling")));
    }
};

void tst_ImageBrowser::emptyWorkspaceSaysHowToStart()
{
    testing::TempWorkspace temp;
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    QTRY_VERIFY(!view.isLoading());
    auto *empty = view.findChild<QLabel *>(QStringLiteral("emptyState"));
    QVERIFY(empty->isVisible());
    QVERIFY(empty->text().contains(QStringLiteral("Import")));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("imageCount"))->text(),
             QStringLiteral("0 image(s)"));
}

void tst_ImageBrowser::filtersByStatusAndSource()
{
    testing::TempWorkspace temp;
    addImages(*temp.workspace, 30, QStringLiteral("alpha"));
    addImages(*temp.workspace, 9,
              QStringLiteral("a very long source name from the sorting office in the north"));
    ui::ImageBrowserView view(*temp.workspace);
    QAbstractItemModelTester tester(view.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.show();
    QTRY_VERIFY(!view.isLoading());
    auto *count = view.findChild<QLabel *>(QStringLiteral("imageCount"));
    QCOMPARE(count->text(), QStringLiteral("39 image(s)"));
    QCOMPARE(view.model()->rowCount(), 39);

    auto *status = view.findChild<QComboBox *>(QStringLiteral("statusFilter"));
    auto *source = view.findChild<QComboBox *>(QStringLiteral("sourceFilter"));
    status->setCurrentIndex(status->findText(QStringLiteral("approved")));
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(count->text(), QStringLiteral("13 image(s)"));
    for (int row = 0; row < view.model()->rowCount(); ++row) {
        QCOMPARE(view.model()->index(row).data(ui::ImageListModel::StatusRole).toInt(),
                 static_cast<int>(storage::ImageStatus::Approved));
    }
    source->setCurrentIndex(source->findText(QStringLiteral("alpha")));
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(count->text(), QStringLiteral("10 image(s)"));
    status->setCurrentIndex(status->findText(QStringLiteral("incoming")));
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(count->text(), QStringLiteral("10 image(s)"));
    QVERIFY(!view.model()->index(0).data(ui::ImageListModel::LabelRole).isValid()); // none
    status->setCurrentIndex(0);
    source->setCurrentIndex(0);
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(count->text(), QStringLiteral("39 image(s)"));
}

void tst_ImageBrowser::selectingShowsTheImageAndItsScan()
{
    testing::TempWorkspace temp;
    QVERIFY(
        testing::writeFile(temp.dir.filePath(QStringLiteral("s/scan.png")),
                           testing::encodeRing(QStringLiteral("png"), 120, 100, 50, 50, 30, true)));
    importScans(temp);
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    QTRY_VERIFY(!view.isLoading() && !view.isLoadingImage());
    auto *list = view.findChild<QListView *>(QStringLiteral("imageGrid"));
    QCOMPARE(list->currentIndex().row(), 0);
    const QString details = view.findChild<QLabel *>(QStringLiteral("imageDetails"))->text();
    QVERIFY2(details.contains(QStringLiteral("scan.png")), qPrintable(details));
    QVERIFY(details.contains(QStringLiteral("incoming")));
    QVERIFY(!view.findChild<QLabel *>(QStringLiteral("originalScan"))->pixmap().isNull());
}

void tst_ImageBrowser::hundredThousandImages()
{
    testing::TempWorkspace temp;
    addImages(*temp.workspace, 100000, QStringLiteral("bulk"));
    ui::ImageBrowserView view(*temp.workspace);
    view.resize(1200, 800);
    view.show();
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 60000);
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("imageCount"))->text(),
             QStringLiteral("100000 image(s)"));
    auto *list = view.findChild<QListView *>(QStringLiteral("imageGrid"));
    // Keys move through the grid; the end of the list paints like the start.
    list->setFocus();
    QTest::keyClick(list, Qt::Key_End);
    QCOMPARE(list->currentIndex().row(), 99999);
    QTest::keyClick(list, Qt::Key_Home);
    QCOMPARE(list->currentIndex().row(), 0);
    // Painted black at once, with its pixels as soon as the worker has read its page.
    const auto tile = [&] {
        return list->model()->index(99999, 0).data(Qt::DecorationRole).value<QImage>();
    };
    QTRY_COMPARE(tile().size(), QSize(28, 28));
}

void tst_ImageBrowser::importFromTheMainWindow()
{
    testing::TempWorkspace temp;
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    for (int i = 0; i < 5; ++i) {
        QVERIFY(testing::writeFile(
            temp.dir.filePath(QStringLiteral("in/%1.png").arg(i)),
            testing::encodeRing(QStringLiteral("png"), 60, 60, 30, 30, 10 + i, true)));
    }
    QVERIFY(testing::writeFile(temp.dir.filePath(QStringLiteral("in/bad.png")), "bad"));
    ui::MainWindow window(*temp.workspace, engineer);
    window.show();
    QTRY_VERIFY(!window.imageBrowser()->isLoading());
    QSignalSpy finished(&window, &ui::MainWindow::importFinished);
    window.importPaths({temp.dir.filePath(QStringLiteral("in"))});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QTRY_VERIFY(!window.imageBrowser()->isLoading());
    QCOMPARE(window.imageBrowser()->findChild<QLabel *>(QStringLiteral("imageCount"))->text(),
             QStringLiteral("5 image(s)"));
    auto *problems = window.findChild<QMessageBox *>(QStringLiteral("importProblems"));
    QVERIFY(problems);
    QVERIFY(problems->detailedText().contains(QStringLiteral("bad.png")));
    QCOMPARE(storage::ImageRepository(temp.workspace->db()).count(), 5);
}

void tst_ImageBrowser::annotatorCannotSeeImport()
{
    testing::TempWorkspace temp;
    const auto annotator =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::MainWindow window(*temp.workspace, annotator);
    for (QAction *action : window.menuBar()->actions().first()->menu()->actions()) {
        if (action->text().contains(QStringLiteral("Import"))) {
            QVERIFY(!action->isVisible());
        }
    }
}

void tst_ImageBrowser::largeScanLoadsWhileTheEventLoopRuns()
{
    testing::TempWorkspace temp;
    // The largest scan the importer takes: 49 of the normaliser's 50 megapixels.
    QVERIFY(testing::writeFile(
        temp.dir.filePath(QStringLiteral("s/large.png")),
        testing::encodeRing(QStringLiteral("png"), 7000, 7000, 3500, 3500, 2000, true)));
    importScans(temp);
    QCOMPARE(storage::ImageRepository(temp.workspace->db()).count(), 1);

    const testing::GuiThreadSql sql;
    testing::EventLoopGaps gaps;
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    const auto *original = view.findChild<QLabel *>(QStringLiteral("originalScan"));
    QTRY_VERIFY_WITH_TIMEOUT(!original->pixmap().isNull(), 30000);
    QVERIFY2(
        gaps.longestMs() < 100,
        qPrintable(QStringLiteral("the event loop stood still for %1 ms").arg(gaps.longestMs())));
    QCOMPARE(sql.statements(), QStringList());
    QVERIFY(!view.isLoadingImage());
}

void tst_ImageBrowser::scanDeletedAfterTheListLoadedIsSaid()
{
    testing::TempWorkspace temp;
    for (int i = 0; i < 2; ++i) {
        QVERIFY(testing::writeFile(
            temp.dir.filePath(QStringLiteral("s/%1.png").arg(i)),
            testing::encodeRing(QStringLiteral("png"), 120, 100, 50, 50, 20 + 10 * i, true)));
    }
    importScans(temp);
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    QTRY_VERIFY(!view.isLoading() && !view.isLoadingImage());
    const QModelIndex second = view.model()->index(1, 0);
    const auto image = storage::ImageRepository(temp.workspace->db())
                           .details(second.data(ui::ImageListModel::ImageIdRole).toLongLong());
    QVERIFY(QFile::remove(temp.workspace->blobs().pathOf(image->originalSha256)));

    const testing::GuiThreadSql sql;
    auto *list = view.findChild<QListView *>(QStringLiteral("imageGrid"));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(second).center());
    QCOMPARE(list->currentIndex().row(), 1);
    QTRY_VERIFY(!view.isLoadingImage());
    const QString message = labelText(view, "message");
    QVERIFY2(message.startsWith(QStringLiteral("The original scan of image #%1 cannot be shown: "
                                               "cannot read blob")
                                    .arg(image->id)),
             qPrintable(message));
    QCOMPARE(labelText(view, "originalScan"), QStringLiteral("Not shown"));
    QVERIFY(labelText(view, "imageDetails").contains(QStringLiteral("1.png")));
    QCOMPARE(sql.statements(), QStringList());
}

void tst_ImageBrowser::brokenDatabaseIsSaidAndTheViewGoesOn()
{
    testing::TempWorkspace temp;
    addImages(*temp.workspace, 30, QStringLiteral("alpha"));
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    QTRY_VERIFY(!view.isLoading() && !view.isLoadingImage());
    const auto *message = view.findChild<QLabel *>(QStringLiteral("message"));
    QVERIFY(!message->isVisible());

    exec(*temp.workspace, QStringLiteral("ALTER TABLE images RENAME TO images_gone"));
    auto *status = view.findChild<QComboBox *>(QStringLiteral("statusFilter"));
    status->setCurrentIndex(status->findText(QStringLiteral("approved")));
    QTRY_VERIFY(!view.isLoading());
    QVERIFY2(message->isVisible() &&
                 message->text().startsWith(QStringLiteral("The images could not be loaded: ")) &&
                 (message->text().contains(QStringLiteral("no such table")) ||
                  message->text().contains(QStringLiteral("does not exist"))),
             qPrintable(message->text()));
    QCOMPARE(labelText(view, "imageCount"), QStringLiteral("Not loaded"));
    // Selecting another image asks for its details: said too, and nothing is thrown at Qt.
    auto *list = view.findChild<QListView *>(QStringLiteral("imageGrid"));
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Right);
    QTRY_VERIFY(!view.isLoadingImage());
    QVERIFY2(message->text().contains(QStringLiteral("could not be loaded: ")),
             qPrintable(message->text()));

    exec(*temp.workspace, QStringLiteral("ALTER TABLE images_gone RENAME TO images"));
    view.reload();
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(labelText(view, "imageCount"), QStringLiteral("10 image(s)"));
    QVERIFY(!message->isVisible());
}

QTEST_MAIN(tst_ImageBrowser)
#include "tst_imagebrowser.moc"
