#include "tests/support/datasetsviewfixture.h"

using namespace digitdesk;
using annotation::Role;
using namespace digitdesk::testing::datasetsview;

// What each role may do in the Datasets view: annotators have none, reviewers neither export
// nor train, ML engineers export and ask for training.
class tst_DatasetsViewRoles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void annotatorHasNoDatasetsView();
    void reviewerMayNotExportOrTrain();
    void engineerExportsAndAsksForTraining();
};

void tst_DatasetsViewRoles::annotatorHasNoDatasetsView()
{
    Team team(1);
    ui::MainWindow window(*team.temp.workspace, team.ana);
    QVERIFY(!navigation(window).contains(QStringLiteral("Datasets")));
    QVERIFY(window.datasetsView() == nullptr);
    QVERIFY(window.findChild<ui::DatasetsView *>() == nullptr);
}

void tst_DatasetsViewRoles::reviewerMayNotExportOrTrain()
{
    Team team(1);
    team.approve(team.rui, 0);
    team.commit(QStringLiteral("one"));
    ui::MainWindow window(*team.temp.workspace, team.rui);
    QCOMPARE(navigation(window), (QStringList{QStringLiteral("Annotate"), QStringLiteral("Review"),
                                              QStringLiteral("Datasets")}));
    window.show();
    ui::DatasetsView *view = window.datasetsView();
    QVERIFY(view);
    QSignalSpy shown(view, &ui::DatasetsView::versionsShown);
    QVERIFY(window.showView(QStringLiteral("Datasets")));
    QVERIFY(shown.wait());
    QCOMPARE(view->selectedTags(), QStringList{QStringLiteral("v1")});
    const auto *exportButton = child<QPushButton>(*view, "exportButton");
    QVERIFY(!exportButton->isEnabled());
    QVERIFY2(exportButton->toolTip().contains(QStringLiteral("ml_engineer or admin")),
             qPrintable(exportButton->toolTip()));
    const auto *train = child<QPushButton>(*view, "trainButton");
    QVERIFY(!train->isEnabled());
    QVERIFY2(train->toolTip().contains(QStringLiteral("yours is reviewer")),
             qPrintable(train->toolTip()));
    QVERIFY(child<QPushButton>(*view, "commitButton")->isEnabled());
    // Ctrl+E does nothing either.
    QTest::keyClick(child<QTableView>(*view, "versionTable"), Qt::Key_E, Qt::ControlModifier);
    QVERIFY(view->findChild<QDialog *>(QStringLiteral("datasetExportDialog")) == nullptr);
}

void tst_DatasetsViewRoles::engineerExportsAndAsksForTraining()
{
    Team team(2);
    team.approve(team.rui, 0);
    team.approve(team.rui, 1);
    team.commit(QStringLiteral("one"));
    ui::DatasetsView view(*team.temp.workspace, team.mel);
    QVERIFY(showAndLoad(view));

    QSignalSpy train(&view, &ui::DatasetsView::trainRequested);
    auto *trainButton = child<QPushButton>(view, "trainButton");
    QVERIFY(trainButton->isEnabled());
    QTest::mouseClick(trainButton, Qt::LeftButton);
    QCOMPARE(train.count(), 1);
    QCOMPARE(train.front().front().toString(), QStringLiteral("v1"));

    auto *exportButton = child<QPushButton>(view, "exportButton");
    QVERIFY(exportButton->isEnabled());
    QTest::mouseClick(exportButton, Qt::LeftButton);
    QDialog *dialog = modalDialog();
    QVERIFY(dialog);
    auto *format = child<QComboBox>(*dialog, "exportFormat");
    QCOMPARE(format->count(), 3);
    format->setCurrentIndex(1); // IDX
    const QString folder = team.temp.dir.filePath(QStringLiteral("idx"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "exportFolder"), folder);
    QSignalSpy finished(&view, &ui::DatasetsView::exportFinished);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QVERIFY(finished.wait());
    const auto *message = child<QLabel>(view, "message");
    QVERIFY2(finished.front().front().toBool(), qPrintable(message->text()));
    QVERIFY2(message->text().startsWith(QStringLiteral("Exported v1 to %1: 2 images").arg(folder)),
             qPrintable(message->text()));
    QVERIFY(QFile::exists(QDir(folder).filePath(QStringLiteral("images-idx3-ubyte"))));
    QVERIFY(QFile::exists(QDir(folder).filePath(QStringLiteral("labels-idx1-ubyte"))));
}

QTEST_MAIN(tst_DatasetsViewRoles)
#include "tst_datasetsviewroles.moc"
