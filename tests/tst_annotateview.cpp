#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/reviewservice.h"
#include "storage/annotationrepository.h"
#include "storage/imagerepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"
#include "ui/annotateview.h"
#include "ui/gridpageview.h"
#include "ui/keymap.h"
#include "ui/mainwindow.h"

#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QTest>

#include <map>

using namespace digitdesk;

namespace {

qint64 scalar(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

} // namespace

class tst_AnnotateView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void annotatorLabelsAHundredItemsWithTheKeyboard();
    void failedWriteIsShownAndTheItemStays();
    void wrongAnswerOnGoldIsShownAfterTheFact();
    void arrowsLookBackAndChangeALabel();
    void remappedKeysWork();
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

    std::map<qint64, int> expected; // image -> the label that must stand in the database
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
            expected[image] = predicted;
        } else if (step % 10 == 8) {
            QTest::keyClick(view, Qt::Key_X);
            expected[image] = -1;
        } else if (step % 25 == 24) {
            // Label, then take it back with Backspace: the same image returns.
            QTest::keyClick(view, Qt::Key_5);
            QTRY_VERIFY(!view->isBusy() && view->currentImageId() != image);
            QTest::keyClick(view, Qt::Key_Backspace);
            QTRY_VERIFY(!view->isBusy());
            QCOMPARE(view->currentImageId(), image);
            ++undos;
            QTest::keyClick(view, Qt::Key_2);
            expected[image] = 2;
        } else {
            const int digit = step % 10;
            QTest::keyClick(view, static_cast<Qt::Key>(Qt::Key_0 + digit));
            expected[image] = digit;
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
    std::vector<std::pair<qint64, int>> page = view->grid()->answers();
    QCOMPARE(page.size(), 40u);
    QTest::keyClick(view, Qt::Key_Right);
    QTest::keyClick(view, Qt::Key_Right);
    QTest::keyClick(view, Qt::Key_3);
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_X);
    QCOMPARE(view->grid()->focusIndex(), 10);
    page[2].second = 3;
    page[10].second = -1;
    QVERIFY(view->grid()->answers() == page);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY(!view->isBusy());
    for (const auto &[image, label] : page) {
        QVERIFY2(!expected.count(image), "grid served an image twice or one labelled already");
        expected[image] = label;
    }

    // Every decision is in the database: the standing labels, the undone ones, the skips.
    const QSqlDatabase db = temp.workspace->db();
    const storage::AnnotationRepository repository(db);
    for (const auto &[image, label] : expected) {
        const auto labels = repository.activeLabels(image);
        QCOMPARE(labels.size(), 1u);
        QCOMPARE(labels.front().label, label);
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
    service.label(bob, item->imageId, 6, 100);
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

void tst_AnnotateView::arrowsLookBackAndChangeALabel()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3, 0.4, 0.5});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    std::vector<qint64> labelled;
    for (int digit : {1, 2, 3}) {
        QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
        labelled.push_back(view.currentImageId());
        QTest::keyClick(&view, static_cast<Qt::Key>(Qt::Key_0 + digit));
    }
    QTRY_VERIFY(!view.isBusy());
    const qint64 current = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_Left);
    QTRY_VERIFY(view.inHistory() && !view.isBusy());
    QCOMPARE(view.historyImageId(), labelled[2]);
    QTest::keyClick(&view, Qt::Key_Left);
    QCOMPARE(view.historyImageId(), labelled[1]);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("prediction"))
                ->text()
                .contains(QStringLiteral("you said <b>2</b>")));
    QTest::keyClick(&view, Qt::Key_7);
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(view.historyImageId(), labelled[1]);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("prediction"))
                ->text()
                .contains(QStringLiteral("you said <b>7</b>")));
    const auto labels =
        storage::AnnotationRepository(temp.workspace->db()).activeLabels(labelled[1]);
    QCOMPARE(labels.size(), 1u);
    QCOMPARE(labels.front().label, 7);
    QTest::keyClick(&view, Qt::Key_Escape);
    QVERIFY(!view.inHistory());
    QCOMPARE(view.currentImageId(), current); // the image on screen was kept
}

void tst_AnnotateView::remappedKeysWork()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDeskTest"));
    ui::KeyMap keys = ui::KeyMap::load();
    keys.setKey(ui::KeyMap::Accept, QKeySequence(Qt::Key_J));
    keys.setKey(ui::KeyMap::NotADigit, QKeySequence(Qt::Key_N));
    keys.save();
    testing::TempWorkspace temp;
    const std::vector<qint64> ids = testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    const qint64 first = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_J); // accept, remapped from a
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != first);
    const qint64 second = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_X); // no longer "not a digit"
    QCOMPARE(view.currentImageId(), second);
    QTest::keyClick(&view, Qt::Key_N);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != second);
    const storage::AnnotationRepository repository(temp.workspace->db());
    QCOMPARE(repository.activeLabels(first).front().label,
             static_cast<int>((std::find(ids.begin(), ids.end(), first) - ids.begin()) % 10));
    QCOMPARE(repository.activeLabels(second).front().label, -1);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("help"))
                ->text()
                .contains(QStringLiteral("J or Enter")));
    QSettings().remove(QStringLiteral("keys"));
}

QTEST_MAIN(tst_AnnotateView)
#include "tst_annotateview.moc"
