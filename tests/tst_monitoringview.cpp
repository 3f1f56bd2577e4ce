#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/servingexperiment.h"
#include "models/flopcount.h"
#include "storage/shadowrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"
#include "ui/confusionheatmap.h"
#include "ui/mainwindow.h"
#include "ui/monitoringview.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QTest>

using namespace digitdesk;

namespace {

// A production model trained (as far as the registry knows) on v1, whose 300 images are
// 30 of each class, with an out-of-distribution threshold.
struct Served
{
    Served()
    {
        people = testing::addPeople(*temp.workspace);
        testing::addApprovedImages(*temp.workspace, 0, 300);
        const annotation::DatasetVersion v1 =
            annotation::DatasetService(db(), temp.workspace->root())
                .commit(people.engineer, QStringLiteral("first"));
        annotation::ModelRegistry registry(db(), temp.workspace->root());
        const QString file = temp.dir.filePath(QStringLiteral("model.pt"));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(people.engineer, QStringLiteral("v1"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = QStringLiteral(
            R"({"validation":{"accuracy":0.9},"ood":{"score":"energy","threshold":-4.0}})");
        trained.dataDigest = QStringLiteral("digest");
        trained.datasetCommit = v1.commitId;
        modelId = registry.registerTrained(people.engineer, run, trained);
        testing::approveRelease(*temp.workspace, modelId);
        registry.moveAlias(people.engineer, annotation::ProductionAlias, modelId,
                           QStringLiteral("first"));
    }
    QSqlDatabase db() const { return temp.workspace->db(); }

    // `count` answers a minute ago, all of class `label`, confident, `oodShare` of them flagged.
    void serve(int label, int count, double oodShare)
    {
        const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60 - 1;
        const auto flagged = static_cast<qint64>(count * oodShare);
        storage::ServingPredictionRepository(db()).add(
            {{minute, modelId, label, 19, false, count - flagged},
             {minute, modelId, label, 19, true, flagged}});
    }

    testing::TempWorkspace temp;
    testing::People people;
    qint64 modelId = 0;
};

} // namespace

class tst_MonitoringView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void servedLikeTheTrainingDataRaisesNoBanner();
    void skewedAndNotDigitLikeTrafficRaisesTheBanner();
    void onlyEngineersAndAdminsSeeIt();
    void shadowTabShowsAgreementDisagreementsAndTheCanaryStop();
};

void tst_MonitoringView::servedLikeTheTrainingDataRaisesNoBanner()
{
    Served served;
    for (int label = 0; label < 10; ++label) {
        served.serve(label, 50, 0.02);
    }
    ui::MonitoringView view(*served.temp.workspace, served.people.engineer);
    QSignalSpy shown(&view, &ui::MonitoringView::reportShown);
    view.resize(1100, 800);
    view.show();
    QVERIFY(shown.wait(10000));
    QCOMPARE(view.report().answers, 500);
    QCOMPARE(view.report().modelId, served.modelId);
    QVERIFY(!view.bannerShown());
    QVERIFY2(view.figuresText().contains(QStringLiteral("answered 500 images")),
             qPrintable(view.figuresText()));
    QVERIFY(view.figuresText().contains(QStringLiteral("v1")));
}

void tst_MonitoringView::skewedAndNotDigitLikeTrafficRaisesTheBanner()
{
    Served served;
    served.serve(7, 400, 0.6); // all sevens, most not digit-like: a coat is not a seven
    ui::MonitoringView view(*served.temp.workspace, served.people.admin);
    QSignalSpy shown(&view, &ui::MonitoringView::reportShown);
    view.show();
    QVERIFY(shown.wait(10000));
    QVERIFY(view.bannerShown());
    QVERIFY(view.report().psi.crossed);
    QVERIFY(view.report().oodShare.crossed);
    QCOMPARE(view.report().alerts().size(), 2);
    QCOMPARE(view.bannerText(), view.report().alerts().join(QLatin1Char('\n')));
    // The answers of a minute ago are in the shortest window too.
    QCOMPARE(view.report().answers, 400);
    view.setWindow(QStringLiteral("15m"));
    QVERIFY(shown.wait(10000));
    QCOMPARE(view.report().answers, 400);
}

void tst_MonitoringView::onlyEngineersAndAdminsSeeIt()
{
    Served served;
    for (const annotation::Principal &who : {served.people.annotator, served.people.reviewer}) {
        ui::MainWindow window(*served.temp.workspace, who);
        QVERIFY(window.monitoringView() == nullptr);
        // Reached anyway, the monitor refuses in annotation/.
        ui::MonitoringView view(*served.temp.workspace, who);
        QSignalSpy shown(&view, &ui::MonitoringView::reportShown);
        view.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(view.figuresText().contains(QStringLiteral("permission denied")),
                                 10000);
        QCOMPARE(shown.size(), 0);
    }
    ui::MainWindow window(*served.temp.workspace, served.people.engineer);
    QVERIFY(window.monitoringView() != nullptr);
}

void tst_MonitoringView::shadowTabShowsAgreementDisagreementsAndTheCanaryStop()
{
    Served served;
    // The candidate agreed on 90 of 100 images a minute ago; three of them were queued.
    const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60 - 1;
    const qint64 candidate = served.modelId + 100;
    storage::ShadowRepository shadow(served.db());
    shadow.add({{minute, served.modelId, candidate, 4, 4, 90, 85.0, 80.0},
                {minute, served.modelId, candidate, 4, 9, 10, 7.0, 6.0}});
    for (qint64 image = 1; image <= 3; ++image) {
        QVERIFY(shadow.recordDisagreement(
            {image, served.modelId, candidate, 4, 0.7, 9, 0.6, QDateTime()}));
    }
    annotation::ServingExperiment::recordCanaryStop(
        served.db(), candidate, QStringLiteral("p99 latency 80.0 ms against production's 3.0 ms"));

    ui::MonitoringView view(*served.temp.workspace, served.people.engineer);
    QSignalSpy shown(&view, &ui::MonitoringView::shadowShown);
    view.resize(1100, 800);
    view.show();
    QVERIFY(shown.wait(10000));
    QTest::keyClick(&view, Qt::Key_S, Qt::AltModifier); // the "Shadow and canary" tab
    ui::ShadowPane *pane = view.shadowPane();
    QTRY_VERIFY(pane->isVisible());
    QVERIFY2(pane->statusText().contains(QStringLiteral("agreed on 90 of 100 images")),
             qPrintable(pane->statusText()));
    QCOMPARE(pane->disagreementCount(), 3);
    QVERIFY2(pane->canaryText().contains(QStringLiteral("p99 latency 80.0 ms")),
             qPrintable(pane->canaryText()));
    QCOMPARE(pane->findChild<ui::ConfusionHeatmap *>()->matrix()[4][9], 10);

    // An engineer sets the shares with the keyboard; the workspace holds them.
    QTest::keyClick(pane, Qt::Key_H, Qt::AltModifier);
    auto *shadowShare = pane->findChild<QDoubleSpinBox *>(QStringLiteral("shadowShare"));
    QVERIFY(shadowShare->hasFocus());
    shadowShare->selectAll();
    QTest::keyClicks(shadowShare, QStringLiteral("25"));
    const int readsBefore = static_cast<int>(shown.count());
    QTest::keyClick(pane, Qt::Key_P, Qt::AltModifier);
    QTRY_COMPARE(annotation::ServingExperiment(served.db()).settings().shadowShare, 0.25);
    QTRY_VERIFY(shown.count() > readsBefore); // read again after the change
    QCOMPARE(shadowShare->value(), 25.0);
    QVERIFY2(pane->statusText().contains(QStringLiteral("No candidate is set")),
             qPrintable(pane->statusText()));
}

QTEST_MAIN(tst_MonitoringView)
#include "tst_monitoringview.moc"
