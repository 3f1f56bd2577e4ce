#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"
#include "ui/comparisonpane.h"
#include "ui/mainwindow.h"
#include "ui/modelcurvechart.h"
#include "ui/modelsview.h"
#include "ui/modeltablemodel.h"
#include "ui/trainingcurves.h"
#include "ui/trainingform.h"
#include "ui/trainingruntablemodel.h"
#include "ui/trainingview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTest>

#include <csignal>

using namespace digitdesk;
using annotation::Role;

namespace {

QVariant value(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next()) {
        return {};
    }
    return query.value(0);
}

// An ML engineer's workspace: 300 approved images committed as v1.
struct Lab
{
    Lab()
    {
        people = testing::addPeople(*temp.workspace);
        testing::addApprovedImages(*temp.workspace, 0, 300);
        v1 = annotation::DatasetService(db(), temp.workspace->root())
                 .commit(people.engineer, QStringLiteral("first"))
                 .tag;
    }
    QSqlDatabase db() const { return temp.workspace->db(); }
    testing::TempWorkspace temp;
    testing::People people;
    QString v1;
};

// The view as the engineer sees it, running the real `digitdesk train`.
std::unique_ptr<ui::TrainingView> openView(const Lab &lab)
{
    auto view = std::make_unique<ui::TrainingView>(*lab.temp.workspace, lab.people.engineer);
    view->process()->setExecutable(QStringLiteral(DIGITDESK_BINARY));
    view->resize(1100, 800);
    view->show();
    QSignalSpy versions(view.get(), &ui::TrainingView::versionsShown);
    versions.wait(10000);
    return view;
}

void setEpochs(ui::TrainingView &view, int epochs)
{
    auto *spin = view.findChild<QSpinBox *>(QStringLiteral("trainingEpochs"));
    QVERIFY(spin != nullptr);
    spin->selectAll();
    QTest::keyClicks(spin, QString::number(epochs));
    QCOMPARE(spin->value(), epochs);
}

// Waits for the first progress line of the child: the run is really training.
bool waitForProgress(const ui::TrainingView &view)
{
    return QTest::qWaitFor(
        [&view] { return view.progressBar()->maximum() > 1 && view.progressBar()->value() > 0; },
        120000);
}

bool startAndWaitForProgress(ui::TrainingView &view)
{
    view.findChild<QPushButton *>(QStringLiteral("startTraining"))->click();
    return waitForProgress(view);
}

} // namespace

class tst_TrainingView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aShortRunFromTheViewLandsInHistoryAndRegistry();
    void cancelEndsTheChildWithinTwoSeconds();
    void aKilledChildIsShownAsFailed();
    void thePolicyStartsExactlyOneRunFromTheOpenView();
    void promoteRollBackAndCompareFromTheModelsView();
    void rolesWithoutTheRightSeeNoTrainingAndAreRefused();
};

void tst_TrainingView::aShortRunFromTheViewLandsInHistoryAndRegistry()
{
    Lab lab;
    auto view = openView(lab);
    QAbstractItemModelTester tester(view->runModel());
    QCOMPARE(view->form()->chosenVersion(), lab.v1);
    setEpochs(*view, 1);
    QSignalSpy ended(view->process(), &ui::TrainingProcess::ended);
    QSignalSpy trained(view.get(), &ui::TrainingView::modelTrained);
    // Ctrl+Return starts, as the button's tooltip says.
    QTest::keyClick(view->findChild<QSpinBox *>(QStringLiteral("trainingEpochs")), Qt::Key_Return,
                    Qt::ControlModifier);
    QVERIFY(waitForProgress(*view));
    QVERIFY(view->progressBar()->text().contains(QStringLiteral("ETA")));
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.first().at(0).value<ui::TrainingProcess::Outcome>(),
             ui::TrainingProcess::Outcome::Registered);
    QCOMPARE(trained.size(), 1);
    const qint64 modelId = trained.first().at(1).toLongLong();
    // The charts are redrawn a few times a second: wait for the last points to be drawn.
    QTRY_VERIFY_WITH_TIMEOUT(
        view->curves()->lossPointCount() > 0 && view->curves()->epochPointCount() == 1, 5000);
    // The history shows it finished, with the version and the model; so does the database.
    QTRY_VERIFY_WITH_TIMEOUT(view->runModel()->rowCount() == 1 &&
                                 view->runModel()->run(0).status == QStringLiteral("finished"),
                             10000);
    const storage::TrainingRunRecord &run = view->runModel()->run(0);
    QCOMPARE(run.modelId, modelId);
    QCOMPARE(run.datasetTag, lab.v1);
    QCOMPARE(run.startedBy, lab.people.engineer.name);
    QVERIFY(ui::TrainingRunTableModel::heldOutAccuracy(run.metrics) >= 0);
    const QString commit = annotation::DatasetService(lab.db(), lab.temp.workspace->root())
                               .version(lab.people.engineer, lab.v1)
                               .commitId;
    QCOMPARE(value(lab.db(),
                   QStringLiteral("SELECT dataset_commit FROM models WHERE id = %1").arg(modelId))
                 .toString(),
             commit);
    QVERIFY(view->logText().contains(QStringLiteral("Registered model")));
}

void tst_TrainingView::cancelEndsTheChildWithinTwoSeconds()
{
    Lab lab;
    auto view = openView(lab);
    setEpochs(*view, 200);
    QSignalSpy ended(view->process(), &ui::TrainingProcess::ended);
    QVERIFY(startAndWaitForProgress(*view));
    const qint64 pid = view->process()->pid();
    QVERIFY(pid > 0);
    QElapsedTimer clock;
    clock.start();
    view->findChild<QPushButton *>(QStringLiteral("cancelTraining"))->click();
    QVERIFY(ended.wait(5000));
    QVERIFY2(clock.elapsed() < 2000 * testing::SanitizerTimeFactor,
             qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(ended.first().at(0).value<ui::TrainingProcess::Outcome>(),
             ui::TrainingProcess::Outcome::Cancelled);
    QTRY_COMPARE_WITH_TIMEOUT(
        value(lab.db(), QStringLiteral("SELECT status FROM training_runs")).toString(),
        QStringLiteral("cancelled"), 10000);
    QCOMPARE(value(lab.db(), QStringLiteral("SELECT COUNT(*) FROM models")).toInt(), 0);
    QCOMPARE(QDir(lab.temp.workspace->modelsPath())
                 .entryList({QStringLiteral("*.pt")}, QDir::Files)
                 .size(),
             0);
}

void tst_TrainingView::aKilledChildIsShownAsFailed()
{
    Lab lab;
    auto view = openView(lab);
    setEpochs(*view, 200);
    QSignalSpy ended(view->process(), &ui::TrainingProcess::ended);
    QVERIFY(startAndWaitForProgress(*view));
    QVERIFY(::kill(static_cast<pid_t>(view->process()->pid()), SIGKILL) == 0);
    QVERIFY(ended.wait(10000));
    QCOMPARE(ended.first().at(0).value<ui::TrainingProcess::Outcome>(),
             ui::TrainingProcess::Outcome::Failed);
    QTRY_VERIFY_WITH_TIMEOUT(view->runModel()->rowCount() == 1 &&
                                 view->runModel()->run(0).status == QStringLiteral("failed"),
                             10000);
    // Its last lines are kept, for whoever asks why.
    QVERIFY(!view->runModel()->run(0).logTail.isEmpty());
    QVERIFY(view->statusText().contains(QStringLiteral("failed")));
}

void tst_TrainingView::thePolicyStartsExactlyOneRunFromTheOpenView()
{
    Lab lab;
    auto view = openView(lab);
    QSignalSpy policy(view.get(), &ui::TrainingView::policyShown);
    QSignalSpy ended(view->process(), &ui::TrainingProcess::ended);
    // No production model yet: all 300 approved labels are new, over the threshold of 100.
    view->setPolicy(100);
    QVERIFY(ended.wait(180000));
    QCOMPARE(ended.first().at(0).value<ui::TrainingProcess::Outcome>(),
             ui::TrainingProcess::Outcome::Registered);
    QCOMPARE(value(lab.db(), QStringLiteral("SELECT COUNT(*) FROM training_runs")).toInt(), 1);
    QVERIFY(value(lab.db(), QStringLiteral("SELECT started_because FROM training_runs"))
                .toString()
                .startsWith(QStringLiteral("policy: ")));
    // Checked again, nothing new since the policy's own run: no second run.
    policy.clear();
    view->checkPolicy();
    QVERIFY(policy.wait(10000));
    QVERIFY(!view->isRunning());
    QCOMPARE(value(lab.db(), QStringLiteral("SELECT COUNT(*) FROM training_runs")).toInt(), 1);
    QVERIFY2(!view->policyText().isEmpty(), "the view says why no run is due");
}

void tst_TrainingView::promoteRollBackAndCompareFromTheModelsView()
{
    Lab lab;
    const QString root = lab.temp.workspace->root();
    // Two models trained on v1 by the command line, one epoch each, different seeds.
    for (const char *seed : {"1", "2"}) {
        const testing::CliRun run = testing::runDigitdeskOn(
            lab.temp.folder(), "train --dataset v1 --epochs 1 --seed", {QString::fromLatin1(seed)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }
    annotation::ModelRegistry registry(lab.db(), root);
    testing::approveRelease(*lab.temp.workspace, 1);
    testing::approveRelease(*lab.temp.workspace, 2);
    registry.promote(lab.people.engineer, 1, QStringLiteral("first model"));
    ui::ModelsView view(*lab.temp.workspace, lab.people.engineer);
    QAbstractItemModelTester tester(view.modelTable());
    QSignalSpy shown(&view, &ui::ModelsView::registryShown);
    view.resize(1100, 800);
    view.show();
    QVERIFY(shown.wait(10000));
    QCOMPARE(view.modelTable()->rowCount(), 2);
    // Both trained on v1 (300 labels): two points on the workspace's learning curve.
    QCOMPARE(view.curve()->pointCount(), 2);
    // The newest is selected; its lineage names the run, the version and who labelled.
    QCOMPARE(view.selectedModel(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(view.lineageText().contains(lab.v1), 10000);
    QVERIFY(view.lineageText().contains(QStringLiteral("run 2")));
    QVERIFY(view.lineageText().contains(QStringLiteral("300 approved labels")));

    QSignalSpy compared(&view, &ui::ModelsView::comparisonShown);
    view.compareSelected();
    QVERIFY(compared.wait(60000));
    const annotation::ModelComparisonResult &result = view.comparison()->result();
    QCOMPARE(result.a.id, 2);
    QCOMPARE(result.b.id, 1);
    QCOMPARE(result.heldOut.count, 60);
    QCOMPARE(view.comparison()->disagreementTiles(),
             static_cast<int>(result.heldOut.disagreements.size()));
    QVERIFY(view.comparison()->summaryText().contains(QStringLiteral("p ")));

    QSignalSpy moved(&view, &ui::ModelsView::aliasMoved);
    view.promote(2, QStringLiteral("better on v1"));
    QVERIFY(moved.wait(10000));
    QCOMPARE(registry.production().value_or(0), 2);
    QTRY_COMPARE_WITH_TIMEOUT(view.historyRows(), 2, 10000);
    view.rollBack(QStringLiteral("complaints"));
    QVERIFY(moved.wait(10000));
    QCOMPARE(registry.production().value_or(0), 1);
    QCOMPARE(registry.history().back().reason, QStringLiteral("complaints"));
    QTRY_COMPARE_WITH_TIMEOUT(view.historyRows(), 3, 10000);
}

void tst_TrainingView::rolesWithoutTheRightSeeNoTrainingAndAreRefused()
{
    Lab lab;
    for (const annotation::Principal &who : {lab.people.annotator, lab.people.reviewer}) {
        ui::MainWindow window(*lab.temp.workspace, who);
        QVERIFY(window.trainingView() == nullptr);
        QVERIFY(window.modelsView() == nullptr);
        QVERIFY(!window.showView(QStringLiteral("Training")));
        QVERIFY(!window.showView(QStringLiteral("Models")));
        // Were the view reached anyway, annotation/ refuses the move.
        ui::ModelsView view(*lab.temp.workspace, who);
        QSignalSpy failed(&view, &ui::ModelsView::actionFailed);
        view.refresh();
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("may not view models")));
        failed.clear();
        view.promote(1, QStringLiteral("sneaky"));
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
        QVERIFY(
            failed.first().at(0).toString().contains(QStringLiteral("may not move model alias")));
    }
    ui::MainWindow window(*lab.temp.workspace, lab.people.engineer);
    QVERIFY(window.trainingView() != nullptr);
    QVERIFY(window.modelsView() != nullptr);
}

QTEST_MAIN(tst_TrainingView)
#include "tst_trainingview.moc"
