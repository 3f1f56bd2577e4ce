#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/importer.h"
#include "annotation/reviewservice.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/annotatefixture.h"
#include "tests/support/eventloopgaps.h"
#include "tests/support/testdata.h"
#include "ui/annotateview.h"
#include "ui/gridpageview.h"
#include "ui/mainwindow.h"
#include "ui/scaledimageview.h"

#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace digitdesk;
using testing::scalar;

// The keys and typing ahead: tst_annotatekeys; looking back and the session count:
// tst_annotatehistory.

class tst_AnnotateView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void annotatorLabelsAHundredItemsWithTheKeyboard();
    void failedWriteIsShownAndTheItemStays();
    void wrongAnswerOnGoldIsShownAfterTheFact();
    void rejectionCommentIsShownAsPlainText();
    void importReachesTheOpenView();
    void viewScalesWithTheWindow();
    void leavingGridModeBringsBackTheImageOnScreen();
    void largeOriginalScanLoadsWhileTheEventLoopRuns();
};

void tst_AnnotateView::annotatorLabelsAHundredItemsWithTheKeyboard()
{
    testing::TempWorkspace temp;
    std::vector<double> confidences;
    for (int i = 0; i < 200; ++i) {
        confidences.push_back(0.4 + 0.004 * i);
    }
    const std::vector<qint64> ids = testing::addPredictedImages(*temp.workspace, confidences);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const annotation::Principal ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    QVERIFY(ana.sessionId > 0);
    ui::MainWindow window(*temp.workspace, ana);
    // An annotator sees Annotate and nothing else.
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QCOMPARE(nav->count(), 1);
    QCOMPARE(nav->item(0)->text(), QStringLiteral("Annotate"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ui::AnnotateView *view = window.annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());

    std::map<qint64, QString> expected; // image -> the label that must stand in the database
    int skips = 0;
    int undos = 0;
    for (int step = 0; step < 100; ++step) {
        const qint64 image = view->currentImageId();
        QVERIFY(image > 0);
        const int predicted =
            static_cast<int>((std::find(ids.begin(), ids.end(), image) - ids.begin()) % 10);
        if (step % 10 == 3) {
            QTest::keyClick(view, Qt::Key_Space);
            ++skips;
        } else if (step % 10 == 6) {
            QTest::keyClick(view, Qt::Key_Return); // accept the prediction
            expected[image] = QString::number(predicted);
        } else if (step % 10 == 8) {
            QTest::keyClick(view, Qt::Key_X);
            expected[image] = QStringLiteral("x");
        } else if (step % 25 == 24) {
            // Label, then take it back with Backspace: the same image returns.
            QTest::keyClick(view, Qt::Key_5);
            QTRY_VERIFY(!view->isBusy() && view->currentImageId() != image);
            QTest::keyClick(view, Qt::Key_Backspace);
            QTRY_VERIFY(!view->isBusy());
            QCOMPARE(view->currentImageId(), image);
            ++undos;
            QTest::keyClick(view, Qt::Key_2);
            expected[image] = QStringLiteral("2");
        } else {
            const int digit = step % 10;
            QTest::keyClick(view, static_cast<Qt::Key>(Qt::Key_0 + digit));
            expected[image] = QString::number(digit);
        }
        QTRY_VERIFY(!view->isBusy());
        QVERIFY(view->currentImageId() != image);
    }
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("sessionPanel"))
                ->text()
                .contains(QStringLiteral("%1 labelled").arg(expected.size())));

    // Grid mode: a page of the most confident items; correct two tiles, accept the page.
    QTest::keyClick(view, Qt::Key_G);
    QTRY_VERIFY(view->inGridMode() && !view->isBusy() && !view->grid()->isEmpty());
    std::vector<std::pair<qint64, storage::Label>> page = view->grid()->answers();
    QCOMPARE(page.size(), 40u);
    QTest::keyClick(view, Qt::Key_Right);
    QTest::keyClick(view, Qt::Key_Right);
    QTest::keyClick(view, Qt::Key_3);
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_X);
    QCOMPARE(view->grid()->focusIndex(), 10);
    page[2].second = storage::Label::fromDigit(3);
    page[10].second = storage::Label::notADigit();
    QVERIFY(view->grid()->answers() == page);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY(!view->isBusy());
    for (const auto &[image, label] : page) {
        QVERIFY2(!expected.count(image), "grid served an image twice or one labelled already");
        expected[image] = label.text();
    }

    // Every decision is in the database: the standing labels, the undone ones, the skips.
    const QSqlDatabase db = temp.workspace->db();
    const storage::LabelRepository repository(db);
    for (const auto &[image, label] : expected) {
        const auto labels = repository.activeLabels(image);
        QCOMPARE(labels.size(), 1u);
        QCOMPARE(labels.front().label.text(), label);
        QCOMPARE(labels.front().annotator, QStringLiteral("ana"));
    }
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM labels WHERE retracted_at IS NULL")),
             static_cast<qint64>(expected.size()));
    QCOMPARE(
        scalar(db, QStringLiteral("SELECT COUNT(*) FROM labels WHERE retracted_at IS NOT NULL")),
        undos);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM skips")), skips);
    QCOMPARE(
        scalar(
            db,
            QStringLiteral(
                "SELECT COUNT(*) FROM labels WHERE session_id IS NULL OR time_spent_ms IS NULL")),
        0);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(DISTINCT session_id) FROM labels")), 1);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'labelled'")),
             static_cast<qint64>(expected.size()));
}

void tst_AnnotateView::failedWriteIsShownAndTheItemStays()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.5, 0.6});
    const annotation::Principal ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    const qint64 image = view.currentImageId();
    // Someone else's process takes the item (its lease ran out meanwhile): the write must fail.
    storage::SqlQuery steal(temp.workspace->db(),
                            QStringLiteral("UPDATE images SET status = 'approved' WHERE id = :id"),
                            QStringLiteral("steal"));
    steal.bind(QStringLiteral(":id"), image);
    steal.exec();
    QTest::keyClick(&view, Qt::Key_4);
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(view.currentImageId(), image);
    const QString message = view.findChild<QLabel *>(QStringLiteral("message"))->text();
    QVERIFY2(message.startsWith(QStringLiteral("Not saved:")), qPrintable(message));
    QTest::keyClick(&view, Qt::Key_F1);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("help"))->isVisible());
}

void tst_AnnotateView::wrongAnswerOnGoldIsShownAfterTheFact()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.5, 0.6, 0.7, 0.8});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const auto bob =
        testing::addUser(*temp.workspace, QStringLiteral("bob"), annotation::Role::Annotator);
    const auto rui =
        testing::addUser(*temp.workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    annotation::AnnotationService service(temp.workspace->db());
    const auto item = service.next(bob);
    service.label(bob, item->imageId, storage::Label::fromDigit(6), 100);
    annotation::ReviewService review(temp.workspace->db());
    review.approve(rui, item->imageId);
    review.markGold(rui, item->imageId);
    // Every second decision is gold, so Ana's first item is the check.
    storage::SettingsRepository(temp.workspace->db())
        .setValue(QStringLiteral("queue.gold_share"), QStringLiteral("0.5"));

    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    QCOMPARE(view.currentImageId(), item->imageId); // nothing tells her it is a check
    QTest::keyClick(&view, Qt::Key_1);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != item->imageId);
    const QString message = view.findChild<QLabel *>(QStringLiteral("message"))->text();
    QVERIFY2(message.contains(QStringLiteral("check item: it is 6, you said 1")),
             qPrintable(message));
    const QString panel = view.findChild<QLabel *>(QStringLiteral("sessionPanel"))->text();
    QVERIFY2(panel.contains(QStringLiteral("gold items 0 of 1 right")), qPrintable(panel));
}

void tst_AnnotateView::rejectionCommentIsShownAsPlainText()
{
    testing::TempWorkspace temp;
    const qint64 rejected =
        testing::addRejectedLabel(*temp.workspace, QStringLiteral("<b>bold</b> <img src=x>"));
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() == rejected && !view.isBusy());
    const auto *message = view.findChild<QLabel *>(QStringLiteral("message"));
    QCOMPARE(message->textFormat(), Qt::PlainText);
    QVERIFY2(message->text().contains(QStringLiteral("rui: <b>bold</b> <img src=x>")),
             qPrintable(message->text()));
}

void tst_AnnotateView::importReachesTheOpenView()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const annotation::Principal eve =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("eve"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    ui::MainWindow window(*temp.workspace, eve);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ui::AnnotateView *view = window.annotateView();
    const auto *image = view->findChild<ui::ScaledImageView *>(QStringLiteral("currentImage"));
    QTRY_COMPARE(image->placeholderText(), QStringLiteral("Nothing to label"));
    // Grid mode on an empty queue says so; leaving it takes the message away.
    QTest::keyClick(view, Qt::Key_G);
    const auto *message = view->findChild<QLabel *>(QStringLiteral("message"));
    QTRY_VERIFY(!view->isBusy() && message->text().contains(QStringLiteral("No items left")));
    QTest::keyClick(view, Qt::Key_G);
    QTRY_VERIFY(!view->isBusy() && !view->inGridMode());
    QCOMPARE(message->text(), QString());

    QTemporaryDir scans;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(testing::writeFile(
            scans.filePath(QStringLiteral("scan%1.png").arg(i)),
            testing::encodeRing(QStringLiteral(".png"), 60, 60, 30, 30, 10 + 4 * i, true)));
    }
    QSignalSpy imported(&window, &ui::MainWindow::importFinished);
    window.importPaths({scans.path()});
    QVERIFY(imported.wait(30000));
    // The view takes the first new image without a logout.
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    QVERIFY(!image->image().isNull());
    QTRY_COMPARE(view->upcomingImageIds().size(), 2);
}

void tst_AnnotateView::viewScalesWithTheWindow()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.2, 0.3, 0.4});
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const annotation::Principal ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    ui::MainWindow window(*temp.workspace, ana);
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ui::AnnotateView *view = window.annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    // The keys, in grid mode too, cover the view; they never make the window grow.
    QTest::keyClick(view, Qt::Key_G);
    QTRY_VERIFY(view->inGridMode() && !view->isBusy());
    QTest::keyClick(view, Qt::Key_F1);
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("help"))->isVisible());
    QCOMPARE(window.size(), QSize(1000, 700));
    QTest::keyClick(view, Qt::Key_F1);
    QTest::keyClick(view, Qt::Key_G);
    QTRY_VERIFY(!view->inGridMode() && !view->isBusy() && view->currentImageId() > 0);

    const auto *digit = view->findChild<ui::ScaledImageView *>(QStringLiteral("currentImage"));
    const auto *scan = view->findChild<ui::ScaledImageView *>(QStringLiteral("currentScan"));
    for (const QSize size : {QSize(800, 560), QSize(400, 300)}) {
        window.resize(size);
        QTRY_COMPARE(window.size(), size);
        QVERIFY2(window.minimumSizeHint().width() <= size.width() &&
                     window.minimumSizeHint().height() <= size.height(),
                 qPrintable(QStringLiteral("minimum %1x%2")
                                .arg(window.minimumSizeHint().width())
                                .arg(window.minimumSizeHint().height())));
        const QRect digitRect(digit->mapTo(&window, QPoint(0, 0)), digit->size());
        const QRect scanRect(scan->mapTo(&window, QPoint(0, 0)), scan->size());
        QVERIFY(!digitRect.intersects(scanRect));
        QVERIFY(window.rect().contains(digitRect));
        QVERIFY(std::min(digit->width(), digit->height()) >= 56);
    }
}

void tst_AnnotateView::leavingGridModeBringsBackTheImageOnScreen()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.2, 0.3, 0.4, 0.9, 0.95});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy() && view.upcomingImageIds().size() == 4);
    const qint64 onScreen = view.currentImageId();
    const QList<qint64> strip = view.upcomingImageIds();
    QTest::keyClick(&view, Qt::Key_G);
    QTRY_VERIFY(view.inGridMode() && !view.isBusy());
    QTest::keyClick(&view, Qt::Key_G);
    QTRY_VERIFY(!view.inGridMode() && !view.isBusy() && view.upcomingImageIds().size() == 4);
    QCOMPARE(view.currentImageId(), onScreen);
    QCOMPARE(view.upcomingImageIds(), strip);
}

void tst_AnnotateView::largeOriginalScanLoadsWhileTheEventLoopRuns()
{
    testing::TempWorkspace temp;
    // The largest scan the importer takes (49 of the normaliser's 50 megapixels) takes about
    // half a second to decode: on the GUI thread it would freeze the keys for as long.
    QVERIFY(testing::writeFile(
        temp.dir.filePath(QStringLiteral("s/large.png")),
        testing::encodeRing(QStringLiteral("png"), 7000, 7000, 3500, 3500, 2000, true)));
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    annotation::Importer(temp.workspace->db(), temp.workspace->blobs(), engineer)
        .run({temp.dir.filePath(QStringLiteral("s"))}, {});
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const annotation::Principal ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;

    ui::MainWindow window(*temp.workspace, ana);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const testing::EventLoopGaps gaps;
    ui::AnnotateView *view = window.annotateView();
    const auto *scan = view->findChild<ui::ScaledImageView *>(QStringLiteral("currentScan"));
    QTRY_VERIFY_WITH_TIMEOUT(view->currentImageId() > 0 && !scan->image().isNull(), 30000);
    QVERIFY2(
        gaps.longestMs() < 100,
        qPrintable(QStringLiteral("the event loop stood still for %1 ms").arg(gaps.longestMs())));
    // Decoded no larger than it is shown, not at 7000 x 7000.
    QVERIFY(scan->image().width() <= 1000);
}

QTEST_MAIN(tst_AnnotateView)
#include "tst_annotateview.moc"
