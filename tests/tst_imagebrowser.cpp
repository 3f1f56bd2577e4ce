#include "annotation/importer.h"
#include "storage/imagerepository.h"
#include "storage/transaction.h"
#include "tests/support/testdata.h"
#include "ui/imagebrowserview.h"
#include "ui/imagelistmodel.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTest>

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
        image.label = i % 10;
        images.insert(image, {QStringLiteral("test"), 0, 0});
    }
    transaction.commit();
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
    QCOMPARE(view.model()->index(0).data(ui::ImageListModel::LabelRole).toInt(), -1);
    status->setCurrentIndex(0);
    source->setCurrentIndex(0);
    QTRY_VERIFY(!view.isLoading());
    QCOMPARE(count->text(), QStringLiteral("39 image(s)"));
}

void tst_ImageBrowser::selectingShowsTheImageAndItsScan()
{
    testing::TempWorkspace temp;
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    QVERIFY(
        testing::writeFile(temp.dir.filePath(QStringLiteral("s/scan.png")),
                           testing::encodeRing(QStringLiteral("png"), 120, 100, 50, 50, 30, true)));
    annotation::Importer(temp.workspace->db(), temp.workspace->blobs(), engineer)
        .run({temp.dir.filePath(QStringLiteral("s"))}, {});
    ui::ImageBrowserView view(*temp.workspace);
    view.show();
    QTRY_VERIFY(!view.isLoading());
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
    const QImage image = list->model()->index(99999, 0).data(Qt::DecorationRole).value<QImage>();
    QCOMPARE(image.size(), QSize(28, 28));
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

QTEST_MAIN(tst_ImageBrowser)
#include "tst_imagebrowser.moc"
