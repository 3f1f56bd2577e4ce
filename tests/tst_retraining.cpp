#include "annotation/modelregistry.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "tests/support/runworkspacetest.h"
#include "tests/support/signoff.h"

#include <csignal>

using namespace digitdesk;
using annotation::TrainingRuns;
using testing::runDigitdeskOn;
using testing::startDigitdesk;

// The retraining policy: `retrain --if-due` starts exactly one run when enough labels were
// approved, none below the threshold or while a run is running, and `serve` starts it on its own.
class tst_Retraining : public testing::RunWorkspaceTest
{
    Q_OBJECT

private Q_SLOTS:
    void retrainingPolicy();
    void concurrentRetrainsStartOneRun();
    void serveStartsRetrainingWhenDue();
};

void tst_Retraining::retrainingPolicy()
{
    testing::CliRun cli = runDigitdeskOn(folder(), "retrain --if-due");
    QCOMPARE(cli.exitCode, 0);
    QVERIFY2(cli.out.contains(QStringLiteral("not due: the retraining policy is off")),
             qPrintable(cli.out));
    QCOMPARE(runDigitdeskOn(folder(), "settings set retrain.min_new_labels 100").exitCode, 0);
    QVERIFY(runDigitdeskOn(folder(), "settings list")
                .out.contains(QStringLiteral("retrain.min_new_labels = 100")));
    // Production trained on v1.
    QCOMPARE(runDigitdeskOn(folder(), "train --dataset v1 --epochs 1 --batch 64").exitCode, 0);
    testing::approveRelease(workspace(), 1);
    cli = runDigitdeskOn(folder(), "models promote 1 --reason", {QStringLiteral("first model")});
    QVERIFY2(cli.exitCode == 0 && cli.out.contains(QStringLiteral("production is now model 1")),
             qPrintable(cli.out + cli.err));

    // 60 labels approved by a reviewer since v1: under the threshold.
    std::vector<int> labels(60);
    for (int i = 0; i < 60; ++i) {
        labels[static_cast<size_t>(i)] = i % 10;
    }
    testing::labelAndApprove(workspace(), 1000, labels, m_ws->people.annotator,
                             m_ws->people.reviewer);
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.out.contains(
                 QStringLiteral("not due: 60 new approved labels since v1 (threshold 100)")),
             qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);

    // Over it, but a run is running: none starts.
    testing::addApprovedDigits(workspace(), 300, 60);
    TrainingRuns runs(workspace().db(), workspace().root());
    const qint64 gui =
        runs.beginRun(m_ws->people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.exitCode == 0 &&
                 cli.out.contains(QStringLiteral("not due: run %1 is running").arg(gui)),
             qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 2);
    runs.markCancelled(m_ws->people.engineer, gui, QStringLiteral("made way"));

    // Due: one run on a new version, with the policy's reason.
    const auto check = annotation::RetrainingPolicy(workspace().db()).due(m_ws->people.engineer);
    QVERIFY(check.due);
    QCOMPARE(check.newLabels, 120);
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 3);
    const storage::TrainingRunRecord policyRun = run(gui + 1);
    QCOMPARE(policyRun.status, QStringLiteral("finished"));
    QCOMPARE(policyRun.startedBecause,
             QStringLiteral("policy: 120 new approved labels since v1 (threshold 100)"));
    QCOMPARE(policyRun.datasetTag, QStringLiteral("v2"));
    QVERIFY(policyRun.modelId > 0);
    // Its version is the new baseline, though nobody promoted its model.
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.out.contains(QStringLiteral("not due: 0 new approved labels since v2")),
             qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 3);

    // Its model waits for ML QA's sign-off: the policy trains, it never promotes.
    const annotation::ReleaseSignOff signOff(workspace().db());
    QCOMPARE(annotation::toString(signOff.statusOf(policyRun.modelId)),
             QStringLiteral("pending validation"));
    QCOMPARE(signOff.waiting(m_ws->people.engineer), std::vector<qint64>{policyRun.modelId});
    QCOMPARE(annotation::ModelRegistry(workspace().db(), workspace().root()).production(),
             std::optional<qint64>(1));

    // Its model approved and promoted, then rolled back from the command line, both kept with
    // their reasons.
    testing::approveRelease(workspace(), policyRun.modelId);
    const QString retrained = QString::number(policyRun.modelId);
    cli =
        runDigitdeskOn(folder(), "models promote",
                       {retrained, QStringLiteral("--reason"), QStringLiteral("retrained on v2")});
    QVERIFY2(
        cli.out.contains(QStringLiteral("production is now model %1 (was model 1)").arg(retrained)),
        qPrintable(cli.out + cli.err));
    // Options before the subcommand work as well as after it.
    cli = testing::runDigitdesk({QStringLiteral("models"), QStringLiteral("--workspace"), folder(),
                                 QStringLiteral("--reason"), QStringLiteral("7s got worse"),
                                 QStringLiteral("rollback")});
    QVERIFY2(
        cli.out.contains(QStringLiteral("production is now model 1 (was model %1)").arg(retrained)),
        qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM model_alias_moves WHERE reason ="
                                  " '7s got worse' AND to_model_id = 1")),
             1);
}

void tst_Retraining::concurrentRetrainsStartOneRun()
{
    annotation::RetrainingPolicy(workspace().db()).setMinNewLabels(m_ws->people.engineer, 50);
    testing::addApprovedDigits(workspace(), 300, 50);
    std::vector<std::unique_ptr<QProcess>> children;
    for (int i = 0; i < 3; ++i) {
        children.push_back(startDigitdesk(
            QStringList{QStringLiteral("retrain"), QStringLiteral("--if-due")} + at()));
    }
    for (const auto &child : children) {
        QVERIFY(child->waitForFinished(300000));
        QCOMPARE(child->exitCode(), 0);
    }
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs WHERE status = 'finished'"
                                  " AND started_because LIKE 'policy: %'")),
             1);
}

void tst_Retraining::serveStartsRetrainingWhenDue()
{
    annotation::RetrainingPolicy(workspace().db()).setMinNewLabels(m_ws->people.admin, 300);
    auto serve = startDigitdesk(QStringList{QStringLiteral("serve"), QStringLiteral("--port"),
                                            QStringLiteral("0"), QStringLiteral("--retrain-poll-s"),
                                            QStringLiteral("1")} +
                                at());
    QVERIFY(serve->waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        count(QStringLiteral("SELECT COUNT(*) FROM training_runs WHERE status = 'finished'")) == 1,
        300000);
    ::kill(static_cast<pid_t>(serve->processId()), SIGTERM);
    QVERIFY(serve->waitForFinished(30000));
    const QString log = QString::fromUtf8(serve->readAllStandardError());
    QVERIFY2(log.contains(QStringLiteral(
                 "retraining is due (300 approved labels, and no production model trained on "
                 "a dataset version to count from (threshold 300))")),
             qPrintable(log));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);
    QVERIFY(run(1).startedBecause.startsWith(annotation::RetrainingPolicy::ReasonPrefix));
}

QTEST_GUILESS_MAIN(tst_Retraining)
#include "tst_retraining.moc"
