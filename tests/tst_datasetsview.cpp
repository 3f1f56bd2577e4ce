#include "tests/support/datasetsviewfixture.h"

using namespace digitdesk;
using annotation::Role;
using namespace digitdesk::testing::datasetsview;

class tst_DatasetsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyStateBeforeTheFirstVersion();
    void commitFromTheDialogThenCompareTwoVersions();
    void compareWithChoosesTheSecondVersion();
    void emptyMessageAndNothingNewAreRefusedInRed();
    void keyboardMovesAndCommits();
    void fitsInASmallWindow();
    void userTextIsPlain();
    void diffSummarySaysHowManyAreNotShown();
};

void tst_DatasetsView::emptyStateBeforeTheFirstVersion()
{
    Team team(2);
    ui::DatasetsView view(*team.temp.workspace, team.rui);
    QAbstractItemModelTester versions(view.versionModel(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(showAndLoad(view));
    const auto *empty = child<QLabel>(view, "emptyState");
    QVERIFY(empty->isVisible());
    QCOMPARE(empty->text(),
             QStringLiteral("No dataset version yet. Commit approved labels to make v1."));
    QCOMPARE(view.versionModel()->rowCount(), 0);
    QVERIFY(child<QPushButton>(view, "commitButton")->isEnabled());
    QVERIFY(!child<QPushButton>(view, "trainButton")->isEnabled());
}

void tst_DatasetsView::commitFromTheDialogThenCompareTwoVersions()
{
    Team team(6);
    team.approve(team.rui, 0);
    team.approve(team.rui, 1);
    team.approve(team.rui, 2);
    team.approve(team.ria, 3);

    ui::DatasetsView view(*team.temp.workspace, team.rui);
    QAbstractItemModelTester versions(view.versionModel(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester diff(view.diffModel(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.resize(800, 560);
    QVERIFY(showAndLoad(view));

    // v1 from the view: the dialog wants a message before it commits.
    QSignalSpy finished(&view, &ui::DatasetsView::commitFinished);
    QTest::mouseClick(child<QPushButton>(view, "commitButton"), Qt::LeftButton);
    QDialog *dialog = modalDialog();
    QVERIFY(dialog);
    auto *message = child<QLineEdit>(*dialog, "commitMessage");
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(message, QStringLiteral("First reviewed batch"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    // Under way on the worker: a progress bar, and no second commit meanwhile.
    QVERIFY(child<QProgressBar>(view, "commitProgress")->isVisible());
    QVERIFY(!child<QPushButton>(view, "commitButton")->isEnabled());
    QVERIFY(finished.count() == 1 || finished.wait());
    QCOMPARE(finished.front().front().toBool(), true);
    QTRY_COMPARE(view.versionModel()->rowCount(), 1);
    const QAbstractItemModel *model = view.versionModel();
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::TagColumn), QStringLiteral("v1"));
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::AuthorColumn), QStringLiteral("rui"));
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::ImagesColumn), QStringLiteral("4"));
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::MessageColumn),
             QStringLiteral("First reviewed batch"));
    QVERIFY(!child<QProgressBar>(view, "commitProgress")->isVisible());
    QVERIFY(child<QLabel>(view, "message")->text().startsWith(QStringLiteral("Committed v1")));
    // The new version is selected, with its counts and histogram.
    QTRY_COMPARE(view.selectedTags(), QStringList{QStringLiteral("v1")});
    QVERIFY(child<QLabel>(view, "details")->text().contains(QStringLiteral("v1: 4 images")));
    QVERIFY(child<QLabel>(view, "details")->text().contains(QStringLiteral("first version")));
    QCOMPARE(view.histogram()->values(), (QList<qreal>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
    QTRY_COMPARE(child<QLabel>(view, "models")->text(),
                 QStringLiteral("No model has been trained on v1 yet."));

    // v2 straight through the service: image 2 is no longer approved, image 3 is relabelled
    // 3 -> 8, images 4 and 5 are new.
    annotation::ReviewService reviews(team.db());
    QCOMPARE(reviews.undoLastReview(team.rui), team.images[2]);
    QCOMPARE(reviews.undoLastReview(team.ria), team.images[3]);
    reviews.correct(team.ria, team.images[3], storage::Label::fromDigit(8));
    team.approve(team.rui, 4);
    team.approve(team.rui, 5);
    QCOMPARE(team.commit(QStringLiteral("Second batch")), QStringLiteral("v2"));
    view.refresh();
    QTRY_COMPARE(view.versionModel()->rowCount(), 2);
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::TagColumn), QStringLiteral("v2"));
    QCOMPARE(view.selectedTags(), QStringList{QStringLiteral("v1")}); // kept across the reload

    // Ctrl+click the second version.
    auto *table = child<QTableView>(view, "versionTable");
    QSignalSpy diffShown(&view, &ui::DatasetsView::diffShown);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier,
                      table->visualRect(model->index(0, 0)).center());
    QCOMPARE(view.selectedTags(), (QStringList{QStringLiteral("v2"), QStringLiteral("v1")}));
    QVERIFY(diffShown.wait());
    const ui::DatasetDiffPage &page = view.diffModel()->page();
    QCOMPARE(page.fromTag, QStringLiteral("v1"));
    QCOMPARE(page.toTag, QStringLiteral("v2"));
    QCOMPARE(page.added, 2);
    QCOMPARE(page.removed, 1);
    QCOMPARE(page.relabelled, 1);
    QCOMPARE(child<QLabel>(view, "diffSummary")->text(),
             QStringLiteral("v1 → v2: 2 added, 1 removed, 1 relabelled."));
    const ui::DatasetDiffListModel *thumbnails = view.diffModel();
    QCOMPARE(thumbnails->rowCount(), 4);
    QStringList seen;
    for (int row = 0; row < thumbnails->rowCount(); ++row) {
        const QModelIndex index = thumbnails->index(row);
        const auto image = index.data(Qt::DecorationRole).value<QImage>();
        QCOMPARE(image.size(), QSize(28, 28));
        seen << index.data().toString();
    }
    seen.sort(); // each kind in SHA-256 order
    QCOMPARE(seen,
             (QStringList{QStringLiteral("added: 4"), QStringLiteral("added: 5"),
                          QStringLiteral("relabelled: 3 → 8"), QStringLiteral("removed: 2")}));
    QVERIFY(child<QListView>(view, "diffList")->isVisible());

    // Back to one version: its parent and the change in size.
    view.selectVersions({QStringLiteral("v2")});
    QVERIFY(child<QLabel>(view, "details")->text().contains(QStringLiteral("Made from: v1 (+1")));
    QCOMPARE(view.histogram()->values(), (QList<qreal>{1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0}));
    QCOMPARE(view.diffModel()->rowCount(), 0);
}

void tst_DatasetsView::compareWithChoosesTheSecondVersion()
{
    Team team(3);
    team.approve(team.rui, 0);
    team.commit(QStringLiteral("one"));
    team.approve(team.rui, 1);
    team.approve(team.rui, 2);
    team.commit(QStringLiteral("two"));

    ui::DatasetsView view(*team.temp.workspace, team.rui);
    QAbstractItemModelTester diff(view.diffModel(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(showAndLoad(view));
    QCOMPARE(view.selectedTags(), QStringList{QStringLiteral("v2")}); // the newest
    auto *compare = child<QComboBox>(view, "compareWith");
    QSignalSpy diffShown(&view, &ui::DatasetsView::diffShown);
    compare->setCurrentIndex(compare->findText(QStringLiteral("v1")));
    Q_EMIT compare->activated(compare->currentIndex());
    QCOMPARE(view.selectedTags(), (QStringList{QStringLiteral("v2"), QStringLiteral("v1")}));
    QVERIFY(diffShown.wait());
    QCOMPARE(view.diffModel()->page().added, 2);
    QCOMPARE(view.diffModel()->rowCount(), 2);
    // "—" goes back to one version.
    Q_EMIT compare->activated(0);
    QCOMPARE(view.selectedTags(), QStringList{QStringLiteral("v2")});
    QCOMPARE(view.diffModel()->rowCount(), 0);
}

void tst_DatasetsView::emptyMessageAndNothingNewAreRefusedInRed()
{
    Team team(1);
    team.approve(team.rui, 0);
    ui::DatasetsView view(*team.temp.workspace, team.rui);
    QVERIFY(showAndLoad(view));
    QSignalSpy finished(&view, &ui::DatasetsView::commitFinished);
    const auto *message = child<QLabel>(view, "message");

    view.commitApprovedLabels(QStringLiteral("   "));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.takeFirst().front().toBool(), false);
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().startsWith(QStringLiteral("Not committed: a dataset version needs a "
                                                       "message")),
             qPrintable(message->text()));
    QVERIFY(message->styleSheet().contains(QStringLiteral("#b00020")));
    QCOMPARE(team.datasets().versions(team.rui).size(), 0u);

    // A second commit with nothing new: the service's reason, in red.
    view.commitApprovedLabels(QStringLiteral("first"));
    QVERIFY(finished.wait());
    QCOMPARE(finished.takeFirst().front().toBool(), true);
    view.commitApprovedLabels(QStringLiteral("again"));
    QVERIFY(finished.wait());
    QCOMPARE(finished.takeFirst().front().toBool(), false);
    QVERIFY2(message->text().startsWith(QStringLiteral("Not committed: nothing changed since v1")),
             qPrintable(message->text()));
    QVERIFY(message->styleSheet().contains(QStringLiteral("#b00020")));
    QVERIFY(child<QPushButton>(view, "commitButton")->isEnabled());
    QTRY_COMPARE(view.versionModel()->rowCount(), 1);
}

void tst_DatasetsView::keyboardMovesAndCommits()
{
    Team team(2);
    team.approve(team.rui, 0);
    team.commit(QStringLiteral("one"));
    team.approve(team.rui, 1);
    team.commit(QStringLiteral("two"));
    ui::MainWindow window(*team.temp.workspace, team.rui);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy shown(window.datasetsView(), &ui::DatasetsView::versionsShown);
    QVERIFY(window.showView(QStringLiteral("Datasets")));
    QVERIFY(shown.wait());
    auto *table = child<QTableView>(*window.datasetsView(), "versionTable");
    QTRY_VERIFY(table->hasFocus());
    QCOMPARE(window.datasetsView()->selectedTags(), QStringList{QStringLiteral("v2")});
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(window.datasetsView()->selectedTags(), QStringList{QStringLiteral("v1")});
    QTest::keyClick(table, Qt::Key_Up, Qt::ShiftModifier);
    QCOMPARE(window.datasetsView()->selectedTags().size(), 2);

    QTest::keyClick(table, Qt::Key_Return, Qt::ControlModifier);
    QDialog *dialog = modalDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->objectName(), QStringLiteral("datasetCommitDialog"));
    dialog->reject();
}

void tst_DatasetsView::fitsInASmallWindow()
{
    Team team(1);
    team.approve(team.rui, 0);
    team.commit(QStringLiteral("one"));
    const auto admin = team.login(QStringLiteral("ada"), Role::Admin);
    QCOMPARE(navigation(ui::MainWindow(*team.temp.workspace, admin)).mid(0, 5),
             (QStringList{QStringLiteral("Annotate"), QStringLiteral("Review"),
                          QStringLiteral("Datasets"), QStringLiteral("Training"),
                          QStringLiteral("Models")}));

    // A reviewer's window (whose other views are small too) at 800x560.
    ui::MainWindow window(*team.temp.workspace, team.rui);
    QVERIFY(window.showView(QStringLiteral("Datasets")));
    window.resize(800, 560);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QSize least = window.minimumSizeHint();
    QVERIFY2(least.width() <= 800 && least.height() <= 560,
             qPrintable(QStringLiteral("%1x%2").arg(least.width()).arg(least.height())));
    QCOMPARE(window.size(), QSize(800, 560));
    ui::DatasetsView *view = window.datasetsView();
    QTRY_COMPARE(view->selectedTags(), QStringList{QStringLiteral("v1")});
    const QRect inside = window.rect();
    for (const char *name : {"commitButton", "exportButton", "trainButton", "versionTable",
                             "compareWith", "datasetTabs", "details", "datasetHistogram"}) {
        const auto *widget = view->findChild<QWidget *>(QLatin1String(name));
        QVERIFY2(widget && widget->isVisible(), name);
        const QRect where(widget->mapTo(&window, QPoint(0, 0)), widget->size());
        QVERIFY2(inside.contains(where), name);
        QVERIFY2(widget->width() >= widget->minimumSizeHint().width(), name);
    }
}

void tst_DatasetsView::userTextIsPlain()
{
    Team team(1);
    team.approve(team.rui, 0);
    team.commit(QStringLiteral("<b>bold</b> & more\nsecond line"));
    ui::DatasetsView view(*team.temp.workspace, team.rui);
    QVERIFY(showAndLoad(view));
    const QAbstractItemModel *model = view.versionModel();
    QCOMPARE(cell(model, 0, ui::DatasetVersionTableModel::MessageColumn),
             QStringLiteral("<b>bold</b> & more"));
    const QString tip = model->index(0, ui::DatasetVersionTableModel::MessageColumn)
                            .data(Qt::ToolTipRole)
                            .toString();
    QVERIFY2(tip.contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt; &amp; more")), qPrintable(tip));
    for (const char *name : {"details", "models", "message", "diffSummary", "emptyState"}) {
        QCOMPARE(view.findChild<QLabel *>(QLatin1String(name))->textFormat(), Qt::PlainText);
    }
    QVERIFY(child<QLabel>(view, "details")->text().contains(QStringLiteral("<b>bold</b>")));
}

void tst_DatasetsView::diffSummarySaysHowManyAreNotShown()
{
    ui::DatasetDiffPage page;
    page.fromTag = QStringLiteral("v3");
    page.toTag = QStringLiteral("v4");
    page.added = 1200;
    page.removed = 3;
    page.relabelled = 501;
    const QLocale locale;
    QCOMPARE(ui::DatasetDiffListModel::summary(page),
             QStringLiteral("v3 → v4: %1 added, 3 removed, 501 relabelled. The first 500 of "
                            "each kind are shown; 700 more added, 1 more relabelled are not.")
                 .arg(locale.toString(1200)));
    ui::DatasetDiffListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.entries.push_back({ui::DatasetDiffEntry::Kind::Relabelled, QStringLiteral("ab"),
                            storage::Label::notADigit(), storage::Label::fromDigit(7), QImage()});
    model.setPage(page);
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("relabelled: x → 7"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(tst_DatasetsView)
#include "tst_datasetsview.moc"
