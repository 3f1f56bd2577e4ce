#include "tests/support/annotatefixture.h"
#include "tests/support/testdata.h"
#include "ui/annotatehistory.h"
#include "ui/annotatesessionfigures.h"
#include "ui/annotateview.h"

#include <QLabel>
#include <QTest>

using namespace digitdesk;

namespace {

annotation::HistoryEntry entry(qint64 labelId, qint64 imageId, int digit)
{
    annotation::HistoryEntry entry;
    entry.decision.labelId = labelId;
    entry.decision.imageId = imageId;
    entry.decision.label = storage::Label::fromDigit(digit);
    return entry;
}

} // namespace

class tst_AnnotateHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walksFromTheNewestAndStopsAtTheEnds();
    void sessionFiguresCountGoldAndUndo();
    void arrowsLookBackAndChangeALabel();
    void undoUpdatesTheSessionCount();
    void historyKeepsItsOrderWhenALabelChanges();
};

void tst_AnnotateHistory::walksFromTheNewestAndStopsAtTheEnds()
{
    ui::AnnotateHistory history;
    QVERIFY(!history.open({}));
    QVERIFY(!history.isActive());
    QCOMPARE(history.imageId(), 0);
    QVERIFY(history.open({entry(3, 30, 3), entry(2, 20, 2), entry(1, 10, 1)}));
    QCOMPARE(history.imageId(), 30);
    QVERIFY(history.atNewest());
    history.newer(); // nothing newer
    QCOMPARE(history.imageId(), 30);
    history.older();
    history.older();
    history.older(); // nothing older
    QCOMPARE(history.imageId(), 10);
    QCOMPARE(history.position(), 3);
    QCOMPARE(history.size(), 3);
    annotation::LabelDecision changed;
    changed.labelId = 4;
    changed.imageId = 10;
    changed.label = storage::Label::notADigit();
    history.replace(1, changed);
    QCOMPARE(history.entry().decision.labelId, 4);
    QCOMPARE(history.entry().decision.label, storage::Label::notADigit());
    history.close();
    QVERIFY(!history.isActive());
    QCOMPARE(history.imageId(), 0);
    QVERIFY(history.open({entry(3, 30, 3), entry(2, 20, 2)}));
    QCOMPARE(history.imageId(), 30); // starts at the newest again
}

void tst_AnnotateHistory::sessionFiguresCountGoldAndUndo()
{
    ui::AnnotateSessionFigures figures;
    QVERIFY2(figures.text().contains(QStringLiteral("0 labelled")), qPrintable(figures.text()));
    QVERIFY(figures.text().contains(QStringLiteral("no gold item yet")));
    figures.labelSaved(storage::Label::fromDigit(3), storage::Label::fromDigit(3));
    figures.labelSaved(storage::Label::notADigit(), storage::Label::fromDigit(1));
    figures.labelSaved(storage::Label::fromDigit(5), std::nullopt);
    figures.pageSaved(40);
    figures.labelUndone();
    QCOMPARE(figures.saved(), 42);
    QVERIFY2(figures.text().contains(QStringLiteral("42 labelled")), qPrintable(figures.text()));
    QVERIFY2(figures.text().contains(QStringLiteral("gold items 1 of 2 right (50%)")),
             qPrintable(figures.text()));
    ui::AnnotateSessionFigures none;
    none.labelUndone();
    QCOMPARE(none.saved(), 0);
}

void tst_AnnotateHistory::arrowsLookBackAndChangeALabel()
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
    const auto labels = storage::LabelRepository(temp.workspace->db()).activeLabels(labelled[1]);
    QCOMPARE(labels.size(), 1u);
    QCOMPARE(labels.front().label.text(), QStringLiteral("7"));
    QTest::keyClick(&view, Qt::Key_Escape);
    QVERIFY(!view.inHistory());
    QCOMPARE(view.currentImageId(), current); // the image on screen was kept
}

void tst_AnnotateHistory::undoUpdatesTheSessionCount()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3, 0.4});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    // The second key is typed ahead: it labels the strip's first image once the strip shows it.
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy() && !view.upcomingImageIds().isEmpty());
    QTest::keyClick(&view, Qt::Key_1);
    QTest::keyClick(&view, Qt::Key_2);
    const auto *panel = view.findChild<QLabel *>(QStringLiteral("sessionPanel"));
    QTRY_VERIFY2(panel->text().contains(QStringLiteral("2 labelled")), qPrintable(panel->text()));
    QTRY_VERIFY(!view.isBusy());
    QTest::keyClick(&view, Qt::Key_Backspace);
    QTRY_VERIFY2(panel->text().contains(QStringLiteral("1 labelled")), qPrintable(panel->text()));
}

void tst_AnnotateHistory::historyKeepsItsOrderWhenALabelChanges()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    std::vector<qint64> labelled;
    for (int digit : {1, 2, 3, 4}) {
        QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
        labelled.push_back(view.currentImageId());
        QTest::keyClick(&view, static_cast<Qt::Key>(Qt::Key_0 + digit));
    }
    QTRY_VERIFY(!view.isBusy());
    QTest::keyClick(&view, Qt::Key_Left);
    QTRY_VERIFY(view.inHistory() && !view.isBusy());
    // Walk back, fixing each label on the way: every step meets an older one.
    for (int back = 3; back >= 0; --back) {
        QCOMPARE(view.historyImageId(), labelled[static_cast<size_t>(back)]);
        QTest::keyClick(&view, Qt::Key_9);
        QTRY_VERIFY(!view.isBusy());
        QCOMPARE(view.historyImageId(), labelled[static_cast<size_t>(back)]);
        QTest::keyClick(&view, Qt::Key_Left);
    }
    for (qint64 image : labelled) {
        QCOMPARE(testing::standingLabel(temp.workspace->db(), image), QStringLiteral("9"));
    }
}

QTEST_MAIN(tst_AnnotateHistory)
#include "tst_annotatehistory.moc"
