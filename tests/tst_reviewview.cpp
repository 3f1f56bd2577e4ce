#include "storage/auditlog.h"
#include "storage/labelrepository.h"
#include "storage/storageerror.h"
#include "tests/support/guithreadsql.h"
#include "tests/support/reviewteam.h"
#include "ui/kappatablemodel.h"
#include "ui/mainwindow.h"
#include "ui/reviewview.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QListWidget>
#include <QRegularExpression>
#include <QTableView>
#include <QTest>

using namespace digitdesk;

namespace {

using Team = testing::ReviewTeam;

QString labelText(const ui::ReviewView &view, const char *name)
{
    return view.findChild<QLabel *>(QLatin1String(name))->text();
}

} // namespace

class tst_ReviewView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reviewerApprovesCorrectsRejectsWithKeys();
    void typingTheAnnotatorsDigitApproves();
    void serviceTakesACorrectionToTheLabelAsApproval();
    void undoTakesBackTheLastDecision_data();
    void undoTakesBackTheLastDecision();
    void undoIsRefusedOnceSomethingDependsOnIt();
    void helpKeysShowAndHide();
    void earlierRejectionIsShownAsPlainText();
    void kappaTableShowsEachPair();
    void kappaTableSaysWhenNoPairSharesItems();
    void keysTypedWhileTheNextImageLoadsApplyToNone();
    void initTestCase() { testing::GuiThreadSql::install(); }
    // A connection used from a thread that does not own it is a failure, not a warning.
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("does not belong to the calling")));
    }
};

void tst_ReviewView::reviewerApprovesCorrectsRejectsWithKeys()
{
    Team team(5);
    // Ana agrees with the model on the first two only: the others come first in review.
    const std::vector<int> anaSays = {0, 1, 3, 4};
    for (size_t i = 0; i < anaSays.size(); ++i) {
        team.label(team.ana, i, anaSays[i]);
    }
    team.label(team.rui, 4, 3); // a reviewer labels too

    ui::MainWindow window(*team.temp.workspace, team.rui);
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QCOMPARE(nav->count(), 3); // Annotate, Review and Datasets
    window.show();
    QVERIFY(window.showView(QStringLiteral("Review")));
    ui::ReviewView *view = window.reviewView();
    // Disagreements first.
    QTRY_COMPARE(view->currentImageId(), team.images[2]);
    QVERIFY(labelText(*view, "labels").contains(QStringLiteral("model says")));
    QVERIFY(labelText(*view, "history").contains(QStringLiteral("ana labelled")));
    QTest::keyClick(view, Qt::Key_7); // correct and approve
    QTRY_COMPARE(view->currentImageId(), team.images[3]);
    view->setCommentProvider([] { return std::optional<QString>(QStringLiteral("look again")); });
    QTest::keyClick(view, Qt::Key_R); // reject
    QTRY_COMPARE(view->currentImageId(), team.images[0]);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_COMPARE(view->currentImageId(), team.images[1]);
    QTest::keyClick(view, Qt::Key_A);
    // Rui's own label is never offered.
    QTRY_VERIFY(!view->isBusy() && view->currentImageId() == 0);
    // The figures reviewers judge annotators by: 4 of ana's labels reviewed, 2 approved as
    // they were.
    QTRY_VERIFY2(labelText(*view, "figures")
                     .contains(QStringLiteral("<td>ana</td><td align='right'>3</td><td "
                                              "align='right'>4</td><td align='right'>50.0%</td>")),
                 qPrintable(labelText(*view, "figures")));

    storage::ImageRepository images(team.db());
    QCOMPARE(team.status(2), QStringLiteral("approved"));
    QVERIFY(images.details(team.images[2])->label == storage::Label::fromDigit(7));
    QCOMPARE(team.status(3), QStringLiteral("incoming"));
    QCOMPARE(team.status(0), QStringLiteral("approved"));
    QCOMPARE(team.status(1), QStringLiteral("approved"));
    QCOMPARE(team.status(4), QStringLiteral("labelled"));
    storage::SqlQuery reviews(
        team.db(),
        QStringLiteral("SELECT verdict, reviewer, session_id, comment FROM reviews ORDER BY id"),
        QStringLiteral("read reviews"));
    reviews.exec();
    QStringList verdicts;
    while (reviews.next()) {
        verdicts << reviews.value(0).toString();
        QCOMPARE(reviews.value(1).toString(), QStringLiteral("rui"));
        QCOMPARE(reviews.value(2).toLongLong(), team.rui.sessionId);
    }
    QCOMPARE(verdicts, (QStringList{QStringLiteral("corrected"), QStringLiteral("rejected"),
                                    QStringLiteral("approved"), QStringLiteral("approved")}));
}

void tst_ReviewView::typingTheAnnotatorsDigitApproves()
{
    Team team(4);
    team.label(team.ana, 3, 5); // the model says 3
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[3]);
    QTest::keyClick(&view, Qt::Key_5);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == 0);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews WHERE verdict = 'approved'"
                                       " AND corrected_label IS NULL")),
             1);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews")), 1);
    QVERIFY(storage::ImageRepository(team.db()).details(team.images[3])->label ==
            storage::Label::fromDigit(5));
    // Ana's agreement with reviewers stays whole.
    QTRY_VERIFY2(labelText(view, "figures")
                     .contains(QStringLiteral("<td>ana</td><td align='right'>1</td><td "
                                              "align='right'>1</td><td align='right'>100.0%</td>")),
                 qPrintable(labelText(view, "figures")));
}

void tst_ReviewView::serviceTakesACorrectionToTheLabelAsApproval()
{
    Team team(2);
    team.setOverlap(2);
    team.label(team.ana, 0, 4);
    team.label(team.bob, 0, 7);
    team.label(team.ana, 1, 2);
    team.label(team.bob, 1, 2);
    annotation::ReviewService review(team.db());
    review.correct(team.rui, team.images[0],
                   storage::Label::fromDigit(4)); // ana was right, bob is corrected
    review.correct(team.rui, team.images[1], storage::Label::fromDigit(2)); // both were right
    storage::SqlQuery rows(team.db(),
                           QStringLiteral("SELECT l.image_id, u.name, r.verdict,"
                                          " COALESCE(r.corrected_label, -1) FROM reviews r"
                                          " JOIN labels l ON l.id = r.label_id JOIN users u ON"
                                          " u.id = l.annotator_id ORDER BY l.image_id, u.name"),
                           QStringLiteral("read reviews"));
    rows.exec();
    QStringList seen;
    while (rows.next()) {
        seen << QStringLiteral("%1 %2 %3 %4")
                    .arg(rows.value(0).toLongLong() == team.images[0] ? 0 : 1)
                    .arg(rows.value(1).toString(), rows.value(2).toString())
                    .arg(rows.value(3).toInt());
    }
    QCOMPARE(seen, (QStringList{
                       QStringLiteral("0 ana approved -1"), QStringLiteral("0 bob corrected 4"),
                       QStringLiteral("1 ana approved -1"), QStringLiteral("1 bob approved -1")}));
    QVERIFY(storage::ImageRepository(team.db()).details(team.images[0])->label ==
            storage::Label::fromDigit(4));
    QCOMPARE(storage::AuditLog(team.db()).latest(1).front().detail, QStringLiteral("approved"));
}

void tst_ReviewView::undoTakesBackTheLastDecision_data()
{
    QTest::addColumn<int>("decisionKey");
    QTest::addColumn<int>("undoKey");
    QTest::addColumn<int>("undoModifiers");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("approve, Backspace")
        << int(Qt::Key_Return) << int(Qt::Key_Backspace) << 0 << QStringLiteral("approved");
    QTest::newRow("correct, Ctrl+Z") << int(Qt::Key_8) << int(Qt::Key_Z) << int(Qt::ControlModifier)
                                     << QStringLiteral("corrected");
    QTest::newRow("gold, Backspace")
        << int(Qt::Key_G) << int(Qt::Key_Backspace) << 0 << QStringLiteral("approved");
    QTest::newRow("reject, Ctrl+Z") << int(Qt::Key_R) << int(Qt::Key_Z) << int(Qt::ControlModifier)
                                    << QStringLiteral("rejected");
}

void tst_ReviewView::undoTakesBackTheLastDecision()
{
    QFETCH(int, decisionKey);
    QFETCH(int, undoKey);
    QFETCH(int, undoModifiers);
    QFETCH(QString, verdict);
    Team team(2);
    team.label(team.ana, 0, 0);
    team.label(team.ana, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.setCommentProvider([] { return std::optional<QString>(QStringLiteral("again")); });
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    QTest::keyClick(&view, Qt::Key(decisionKey));
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[1]);
    QCOMPARE(team.reviews(verdict), 1);

    QTest::keyClick(&view, Qt::Key(undoKey), Qt::KeyboardModifiers::fromInt(undoModifiers));
    // The image comes back on screen, waiting for review as before the decision.
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    QVERIFY(labelText(view, "message").startsWith(QStringLiteral("Undone")));
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews")), 0);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM gold_items")), 0);
    QCOMPARE(team.status(0), QStringLiteral("labelled"));
    QCOMPARE(storage::LabelRepository(team.db()).activeLabels(team.images[0]).size(), 1u);
    const storage::AuditEntry audit = storage::AuditLog(team.db()).latest(1).front();
    QCOMPARE(audit.actor, QStringLiteral("rui"));
    QCOMPARE(audit.target, QStringLiteral("image:%1").arg(team.images[0]));
    QCOMPARE(audit.detail, QStringLiteral("undone: ") + verdict);

    // Decided again, it stays decided; nothing is left to undo after that one is undone.
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[1]);
    QCOMPARE(team.status(0), QStringLiteral("approved"));
    QTest::keyClick(&view, Qt::Key_Backspace);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    QTest::keyClick(&view, Qt::Key_Backspace);
    QTRY_VERIFY(labelText(view, "message").startsWith(QStringLiteral("Not undone: Nothing")));
    QCOMPARE(view.currentImageId(), team.images[0]);
}

void tst_ReviewView::undoIsRefusedOnceSomethingDependsOnIt()
{
    Team team(3);
    team.label(team.ana, 0, 0);
    team.label(team.ana, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.setCommentProvider([] { return std::optional<QString>(QStringLiteral("again")); });
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);

    // A rejected image labelled again since.
    QTest::keyClick(&view, Qt::Key_R);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[1]);
    team.label(team.ana, 0, 6);
    QTest::keyClick(&view, Qt::Key_Backspace);
    QTRY_VERIFY(labelText(view, "message").startsWith(QStringLiteral("Not undone")));
    QVERIFY(labelText(view, "message").contains(QStringLiteral("labelled again")));
    QCOMPARE(view.currentImageId(), team.images[1]);
    QCOMPARE(team.reviews(QStringLiteral("rejected")), 1);
    QCOMPARE(storage::LabelRepository(team.db()).activeLabels(team.images[0]).front().label,
             storage::Label::fromDigit(6));

    // A gold item an annotator has answered since.
    QTest::keyClick(&view, Qt::Key_G);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    team.label(team.bob, 1, 3); // a check answer, not a label of the image
    QTest::keyClick(&view, Qt::Key_Backspace);
    QTRY_VERIFY(labelText(view, "message").contains(QStringLiteral("gold item")));
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM gold_items")), 1);
    QCOMPARE(team.status(1), QStringLiteral("approved"));
    QCOMPARE(view.currentImageId(), team.images[0]);
}

void tst_ReviewView::helpKeysShowAndHide()
{
    Team team(1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    const auto *help = view.findChild<QLabel *>(QStringLiteral("help"));
    QVERIFY(!help->isVisible());
    QTest::keyClick(&view, Qt::Key_F1);
    QVERIFY(help->isVisible());
    for (const char *key :
         {"Enter or a: approve", "0 - 9: correct", "g: approve and make it a gold", "r: reject",
          "Backspace or Ctrl+Z: undo", "F1 or ?"}) {
        QVERIFY2(help->text().contains(QLatin1String(key)), key);
    }
    QTest::keyClick(&view, Qt::Key_F1);
    QVERIFY(!help->isVisible());
    QTest::keyClick(&view, '?');
    QVERIFY(help->isVisible());
    QTest::keyClick(&view, '?');
    QVERIFY(!help->isVisible());
}

void tst_ReviewView::earlierRejectionIsShownAsPlainText()
{
    Team team(2);
    team.label(team.ana, 0, 0);
    team.label(team.ana, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.setCommentProvider([] { return std::optional<QString>(QStringLiteral("<b>bold</b>")); });
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    const auto *rejected = view.findChild<QLabel *>(QStringLiteral("rejectedBefore"));
    QVERIFY(!rejected->isVisible());
    QTest::keyClick(&view, Qt::Key_R);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[1]);
    QVERIFY(!rejected->isVisible()); // never rejected
    team.label(team.ana, 0, 8);
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    QVERIFY(rejected->isVisible());
    QCOMPARE(rejected->text(), QStringLiteral("Rejected before by rui: <b>bold</b>"));
    // Shown as the characters typed, never as markup.
    for (const char *name : {"rejectedBefore", "history", "message"}) {
        QCOMPARE(view.findChild<QLabel *>(QLatin1String(name))->textFormat(), Qt::PlainText);
    }
}

void tst_ReviewView::kappaTableShowsEachPair()
{
    Team team(3);
    team.setOverlap(2);
    for (size_t i = 0; i < 3; ++i) {
        team.label(team.ana, i, static_cast<int>(i));
        team.label(team.bob, i, i == 2 ? 5 : static_cast<int>(i));
    }
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    QAbstractItemModelTester tester(view.kappaModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.show();
    const auto *table = view.findChild<QTableView *>(QStringLiteral("kappaTable"));
    QVERIFY(table);
    QTRY_VERIFY(table->isVisible());
    QVERIFY(!view.findChild<QLabel *>(QStringLiteral("kappaEmpty"))->isVisible());
    const QAbstractItemModel *model = table->model();
    QCOMPARE(model->rowCount(), 1);
    const auto cell = [&](int column) {
        return model->index(0, column).data().toString();
    };
    QCOMPARE(cell(ui::KappaTableModel::FirstAnnotatorColumn), QStringLiteral("ana"));
    QCOMPARE(cell(ui::KappaTableModel::SecondAnnotatorColumn), QStringLiteral("bob"));
    QCOMPARE(cell(ui::KappaTableModel::SharedItemsColumn), QStringLiteral("3"));
    QCOMPARE(cell(ui::KappaTableModel::KappaColumn), QStringLiteral("0.57")); // (2/3-2/9)/(7/9)
    QCOMPARE(model->headerData(ui::KappaTableModel::KappaColumn, Qt::Horizontal).toString(),
             QStringLiteral("Cohen's kappa"));
}

void tst_ReviewView::kappaTableSaysWhenNoPairSharesItems()
{
    Team team(2);
    team.label(team.ana, 0, 0);
    team.label(team.bob, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    QAbstractItemModelTester tester(view.kappaModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.show();
    const auto *empty = view.findChild<QLabel *>(QStringLiteral("kappaEmpty"));
    QVERIFY(empty);
    QTRY_VERIFY(empty->isVisible());
    QVERIFY(empty->text().contains(QStringLiteral("No two annotators")));
    QVERIFY(!view.findChild<QTableView *>(QStringLiteral("kappaTable"))->isVisible());
    QCOMPARE(view.kappaModel()->rowCount(), 0);
}

void tst_ReviewView::keysTypedWhileTheNextImageLoadsApplyToNone()
{
    Team team(3);
    for (size_t i = 0; i < 3; ++i) {
        team.label(team.ana, i, static_cast<int>(i));
    }
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.setCommentProvider([] { return std::optional<QString>(QStringLiteral("again")); });
    std::vector<qint64> shown;
    {
        const testing::GuiThreadSql sql;
        view.show();
        QTRY_VERIFY(!view.isBusy() && view.currentImageId() != 0);
        shown.push_back(view.currentImageId());
        // 7 and g typed right after Enter, before the next image is on screen: they were meant
        // for the image just approved, so neither lands on the next one.
        QTest::keyClick(&view, Qt::Key_Return);
        QTest::keyClick(&view, Qt::Key_7);
        QTest::keyClick(&view, Qt::Key_G);
        QTRY_VERIFY(!view.isBusy() && view.currentImageId() != shown.back());
        QCOMPARE(labelText(view, "message"),
                 QStringLiteral("2 key(s) ignored: typed before the next image appeared."));
        shown.push_back(view.currentImageId());
        QTest::keyClick(&view, Qt::Key_R);
        QTRY_VERIFY(!view.isBusy() && view.currentImageId() != shown.back());
        shown.push_back(view.currentImageId());
        QTest::keyClick(&view, Qt::Key_4);
        QTRY_VERIFY(!view.isBusy() && view.currentImageId() == 0);
        // Every query of that flow ran on the review worker's connection.
        QCOMPARE(sql.statements(), QStringList());
    }
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews")), 3);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM gold_items")), 0);
    QCOMPARE(team.verdict(shown[0]), QStringLiteral("approved -"));
    QCOMPARE(team.verdict(shown[1]), QStringLiteral("rejected -"));
    QCOMPARE(team.verdict(shown[2]), QStringLiteral("corrected 4"));
}

QTEST_MAIN(tst_ReviewView)
#include "tst_reviewview.moc"
