#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "tests/support/runworkspacetest.h"

#include <QDir>
#include <QRegularExpression>

#include <csignal>

using namespace digitdesk;
using annotation::Principal;
using annotation::TrainingRuns;
using testing::jsonLine;
using testing::runDigitdesk;
using testing::runDigitdeskOn;
using testing::startDigitdesk;
using testing::waitForLine;

// Training runs as a user sees them: `digitdesk train` records its run, its process, its log and
// how it ended, `runs list`/`show` tell it, a killed run is found failed with its last lines, and
// SIGTERM cancels promptly. The retraining policy is in tst_retraining.
class tst_Runs : public testing::RunWorkspaceTest
{
    Q_OBJECT

private Q_SLOTS:
    void trainOnAVersionIsARecordedRun();
    void killedRunIsFailedWithItsLastLines();
    void sigtermCancelsWithinTwoSeconds();
    void theGuiBeginsTheChildClaims();
    void permissions_data();
    void permissions();
    void cli_data();
    void cli();

private:
    // `digitdesk train --dataset v1 --epochs 200 --json-progress`: still training when the test
    // kills or cancels it.
    std::unique_ptr<QProcess> startLongTraining() const;
};

std::unique_ptr<QProcess> tst_Runs::startLongTraining() const
{
    return startDigitdesk(QStringList{QStringLiteral("train"), QStringLiteral("--dataset"),
                                      QStringLiteral("v1"), QStringLiteral("--epochs"),
                                      QStringLiteral("200"), QStringLiteral("--json-progress")} +
                          at());
}

void tst_Runs::trainOnAVersionIsARecordedRun()
{
    const testing::CliRun train = runDigitdeskOn(
        folder(), "train --dataset v1 --epochs 1 --batch 64 --json-progress --reason", {"a test"});
    QVERIFY2(train.exitCode == 0, qPrintable(train.err));
    const QJsonObject started = jsonLine(train.out, QStringLiteral("started"));
    QCOMPARE(started.value(QStringLiteral("run")).toInteger(), 1);
    QCOMPARE(started.value(QStringLiteral("dataset")).toString(), QStringLiteral("v1"));
    QCOMPARE(started.value(QStringLiteral("commit")).toString(), m_ws->commit);
    QCOMPARE(started.value(QStringLiteral("train")).toInteger(), 240);
    QCOMPARE(started.value(QStringLiteral("validation")).toInteger(), 60);
    QCOMPARE(started.value(QStringLiteral("steps")).toInteger(), 4);
    QVERIFY(!jsonLine(train.out, QStringLiteral("progress")).isEmpty());
    const qint64 modelId = jsonLine(train.out, QStringLiteral("registered"))
                               .value(QStringLiteral("model_id"))
                               .toInteger();
    QVERIFY(modelId > 0);

    const storage::TrainingRunRecord recorded = run(1);
    QCOMPARE(recorded.status, QStringLiteral("finished"));
    QCOMPARE(recorded.modelId, modelId);
    QCOMPARE(recorded.datasetCommit, m_ws->commit);
    QCOMPARE(recorded.startedBecause, QStringLiteral("a test"));
    QVERIFY(recorded.pid > 0);
    QCOMPARE(recorded.host, TrainingRuns::thisHost());
    QVERIFY(recorded.metrics.contains(QStringLiteral("\"validation\"")));
    QVERIFY2(recorded.progress.contains(QStringLiteral("\"epoch_end\":true")),
             qPrintable(recorded.progress));
    // Every line it printed is in its log too.
    QFile log(TrainingRuns(workspace().db(), workspace().root()).logPath(1));
    QVERIFY(log.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(log.readAll()), train.out);

    testing::CliRun runs = runDigitdeskOn(folder(), "runs list");
    QCOMPARE(runs.exitCode, 0);
    const QRegularExpression row(
        QStringLiteral(
            "^\\s+1\\s+\\S+Z\\s+operator:\\S+\\s+v1\\s+finished\\s+\\d+ s\\s+\\d+\\.\\d\\d%"
            "\\s+%1\\s+a test$")
            .arg(modelId),
        QRegularExpression::MultilineOption);
    QVERIFY2(row.match(runs.out).hasMatch(), qPrintable(runs.out));
    runs = runDigitdeskOn(folder(), "runs show 1");
    QCOMPARE(runs.exitCode, 0);
    for (const QString &expected :
         {QStringLiteral("status           finished"),
          QStringLiteral("dataset version  v1 (commit %1)").arg(m_ws->commit),
          QStringLiteral("model            %1").arg(modelId), QStringLiteral("\"epochs\":1"),
          QStringLiteral("held-out accuracy"), QStringLiteral("started because  a test")}) {
        QVERIFY2(runs.out.contains(expected),
                 qPrintable(expected + QStringLiteral("\n") + runs.out));
    }
}

void tst_Runs::killedRunIsFailedWithItsLastLines()
{
    const auto child = startLongTraining();
    QVERIFY(waitForLine(*child, "\"event\":\"progress\""));
    const qint64 pid = child->processId();
    ::kill(static_cast<pid_t>(pid), SIGKILL); // no chance to record anything
    QVERIFY(child->waitForFinished(10000));
    QCOMPARE(run(1).status, QStringLiteral("running")); // until someone looks

    const testing::CliRun runs = runDigitdeskOn(folder(), "runs list");
    const QRegularExpression row(
        QStringLiteral("^\\s+1\\s.*\\sfailed\\s.*manual; the training process %1 ended without "
                       "finishing$")
            .arg(pid),
        QRegularExpression::MultilineOption);
    QVERIFY2(row.match(runs.out).hasMatch(), qPrintable(runs.out));
    const storage::TrainingRunRecord failed = run(1);
    QCOMPARE(failed.status, QStringLiteral("failed"));
    QVERIFY(failed.finishedAt.isValid());
    const QStringList tail = failed.logTail.split(QLatin1Char('\n'));
    QVERIFY(!tail.isEmpty() && tail.size() <= TrainingRuns::LogTailLines);
    QVERIFY2(tail.last().contains(QStringLiteral("\"event\":\"progress\"")),
             qPrintable(failed.logTail));
    const testing::CliRun show = runDigitdeskOn(folder(), "runs show 1");
    QVERIFY2(show.out.contains(QStringLiteral("last log lines")) && show.out.contains(tail.last()),
             qPrintable(show.out));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM models")), 0);
}

void tst_Runs::sigtermCancelsWithinTwoSeconds()
{
    const auto child = startLongTraining();
    QVERIFY(waitForLine(*child, "\"event\":\"progress\""));
    // While it runs, no other run begins, whatever it would train on, and nothing is committed
    // for a run that may not start.
    const qint64 versions = count(QStringLiteral("SELECT COUNT(*) FROM dataset_versions"));
    for (const QStringList &other :
         {QStringList{QStringLiteral("train"), QStringLiteral("--commit-approved")},
          QStringList{QStringLiteral("train"), QStringLiteral("--data"),
                      testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte"))}}) {
        const testing::CliRun refused = runDigitdesk(other + at());
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("run 1 (v1")), qPrintable(refused.err));
    }
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM dataset_versions")), versions);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);
    QElapsedTimer timer;
    timer.start();
    ::kill(static_cast<pid_t>(child->processId()), SIGTERM);
    QVERIFY(child->waitForFinished(10000));
    QVERIFY2(timer.elapsed() < 2000 * testing::SanitizerTimeFactor,
             qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(child->exitStatus(), QProcess::NormalExit);
    QCOMPARE(child->exitCode(), 6);
    QVERIFY(child->readAllStandardOutput().contains("\"event\":\"cancelled\""));
    const storage::TrainingRunRecord cancelled = run(1);
    QCOMPARE(cancelled.status, QStringLiteral("cancelled"));
    QVERIFY2(cancelled.message.startsWith(QStringLiteral("cancelled by a signal")),
             qPrintable(cancelled.message));
    QVERIFY(cancelled.logTail.contains(QStringLiteral("\"event\":\"cancelled\"")));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM models")), 0);
    QVERIFY(
        QDir(workspace().modelsPath()).entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty());
    QVERIFY(!QFile::exists(
        QDir(workspace().modelsPath()).filePath(QStringLiteral("checkpoints/run-1.pt"))));
}

void tst_Runs::theGuiBeginsTheChildClaims()
{
    TrainingRuns runs(workspace().db(), workspace().root());
    const qint64 id =
        runs.beginRun(m_ws->people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    QCOMPARE(run(id).pid, 0);
    QCOMPARE(run(id).datasetCommit, m_ws->commit);
    // One run at a time.
    QVERIFY(testing::throws<annotation::RunInProgress>(
        [&] { runs.beginRun(m_ws->people.admin, QStringLiteral("v1"), QStringLiteral("{}")); }));
    // The child names the run's version (a different one is refused) and takes the run.
    testing::CliRun child = runDigitdeskOn(
        folder(), "train --dataset v2 --epochs 1 --batch 64 --run", {QString::number(id)});
    QCOMPARE(child.exitCode, 2);
    QVERIFY2(child.err.contains(QStringLiteral("trains on v1, not v2")), qPrintable(child.err));
    child = runDigitdeskOn(folder(), "train --dataset v1 --epochs 1 --batch 64 --augment off --run",
                           {QString::number(id)});
    QVERIFY2(child.exitCode == 0, qPrintable(child.err));
    const storage::TrainingRunRecord done = run(id);
    QCOMPARE(done.status, QStringLiteral("finished"));
    QCOMPARE(done.startedBy, QStringLiteral("eve"));
    QVERIFY(done.pid > 0);
    QVERIFY2(done.hyperparameters.contains(QStringLiteral("\"augmentation\":\"none\"")),
             qPrintable(done.hyperparameters));
    child = runDigitdeskOn(folder(), "train --epochs 1 --run", {QString::number(id)});
    QCOMPARE(child.exitCode, 2);
    QVERIFY2(child.err.contains(QStringLiteral("is finished already")), qPrintable(child.err));

    // Cancelled before any process took it: the child is refused.
    const qint64 second =
        runs.beginRun(m_ws->people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    QVERIFY(runs.markCancelled(m_ws->people.engineer, second, QStringLiteral("changed my mind")));
    QVERIFY(!runs.markFailed(m_ws->people.engineer, second,
                             QStringLiteral("too late"))); // first stands
    child = runDigitdeskOn(folder(), "train --epochs 1 --run", {QString::number(second)});
    QCOMPARE(child.exitCode, 2);
    QVERIFY2(child.err.contains(QStringLiteral("cancelled already: changed my mind")),
             qPrintable(child.err));

    // A run that no process took within five minutes is failed at the next look.
    const qint64 third =
        runs.beginRun(m_ws->people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    QVERIFY(runs.markStaleRuns().empty());
    storage::SqlQuery age(workspace().db(),
                          QStringLiteral("UPDATE training_runs SET started_at ="
                                         " '2020-01-01T00:00:00.000Z' WHERE id = :id"),
                          QStringLiteral("age the run"));
    age.bind(QStringLiteral(":id"), third);
    age.exec();
    QCOMPARE(runs.markStaleRuns(), std::vector<qint64>{third});
    QCOMPARE(run(third).status, QStringLiteral("failed"));
    QVERIFY(run(third).message.contains(QStringLiteral("no training process took the run")));
}

void tst_Runs::permissions_data()
{
    QTest::addColumn<QString>("operation");
    for (const char *operation :
         {"beginRun", "claim", "saveProgress", "markCancelled", "markFailed", "list", "find",
          "commitApproved", "due", "minNewLabels", "setMinNewLabels"}) {
        QTest::newRow(operation) << QString::fromLatin1(operation);
    }
}

void tst_Runs::permissions()
{
    QFETCH(QString, operation);
    TrainingRuns runs(workspace().db(), workspace().root());
    annotation::RetrainingPolicy policy(workspace().db());
    const auto call = [&](const Principal &who) {
        if (operation == QStringLiteral("beginRun")) {
            const qint64 id = runs.beginRun(who, QStringLiteral("v1"), QStringLiteral("{}"));
            runs.markCancelled(m_ws->people.admin, id, QStringLiteral("test"));
        } else if (operation == QStringLiteral("claim")) {
            runs.claim(who, 1, QStringLiteral("{}"));
        } else if (operation == QStringLiteral("saveProgress")) {
            runs.saveProgress(who, 1, QStringLiteral("{}"));
        } else if (operation == QStringLiteral("markCancelled")) {
            runs.markCancelled(who, 1, QStringLiteral("x"));
        } else if (operation == QStringLiteral("markFailed")) {
            runs.markFailed(who, 1, QStringLiteral("x"));
        } else if (operation == QStringLiteral("list")) {
            runs.list(who);
        } else if (operation == QStringLiteral("find")) {
            runs.find(who, 1);
        } else if (operation == QStringLiteral("commitApproved")) {
            runs.commitApproved(who, QStringLiteral("x"));
        } else if (operation == QStringLiteral("due")) {
            policy.due(who);
        } else if (operation == QStringLiteral("minNewLabels")) {
            policy.minNewLabels(who);
        } else {
            policy.setMinNewLabels(who, 5);
        }
    };
    // Run 1 exists and has ended, so the allowed calls that touch it do nothing.
    const qint64 first =
        runs.beginRun(m_ws->people.admin, QStringLiteral("v1"), QStringLiteral("{}"));
    runs.markCancelled(m_ws->people.admin, first, QStringLiteral("fixture"));
    for (const Principal &who : {m_ws->people.annotator, m_ws->people.reviewer}) {
        QVERIFY2(testing::throws<annotation::PermissionDenied>([&] { call(who); }),
                 qPrintable(who.name));
    }
    for (const Principal &who : {m_ws->people.engineer, m_ws->people.admin}) {
        try {
            call(who);
        } catch (const annotation::PermissionDenied &error) {
            QFAIL(error.what());
        } catch (const std::exception &) {
            // refused for another reason (run 1 has ended): allowed to try
        }
    }
}

void tst_Runs::cli_data()
{
    QTest::addColumn<QString>("arguments"); // WS stands for the workspace
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    QTest::newRow("augment") << "train --dataset v1 --augment maybe --workspace WS" << 1
                             << "--augment takes on or off, not 'maybe'";
    QTest::newRow("weight decay") << "train --dataset v1 --weight-decay -1 --workspace WS" << 1
                                  << "--weight-decay takes a number from 0 to 1";
    QTest::newRow("two sources") << "train --dataset v1 --commit-approved --workspace WS" << 1
                                 << "give one of --dataset vN";
    QTest::newRow("bad run") << "train --run x --workspace WS" << 1 << "--run takes a run id";
    QTest::newRow("reason with run")
        << "train --run 1 --reason x --workspace WS" << 1 << "--reason is for a new run";
    QTest::newRow("no such run") << "train --run 9 --workspace WS" << 2
                                 << "there is no training run 9";
    QTest::newRow("no version") << "train --dataset v7 --workspace WS" << 2
                                << "there is no dataset version 'v7'";
    QTest::newRow("runs") << "runs --workspace WS" << 1 << "missing subcommand";
    QTest::newRow("runs fly") << "runs fly" << 1 << "unknown subcommand 'fly'";
    QTest::newRow("runs limit") << "runs list --limit 0 --workspace WS" << 1
                                << "--limit takes a whole number";
    QTest::newRow("runs show x") << "runs show x --workspace WS" << 1 << "'x' is not a run id";
    QTest::newRow("runs show 9") << "runs show 9 --workspace WS" << 2
                                 << "there is no training run 9";
    QTest::newRow("runs options first") << "--workspace WS runs list" << 0 << "No training runs";
    QTest::newRow("runs workspace first") << "runs --workspace WS list" << 0 << "No training runs";
    QTest::newRow("promote no reason")
        << "models promote 1 --workspace WS" << 1 << "--reason TEXT is required";
    QTest::newRow("rollback none")
        << "models rollback --reason x --workspace WS" << 2 << "no model is production yet";
    QTest::newRow("policy negative") << "settings set retrain.min_new_labels lots --workspace WS"
                                     << 1 << "takes a whole number from 0 (off)";
    QTest::newRow("retrain threads")
        << "retrain --threads x --workspace WS" << 1 << "--threads takes a whole number";
    QTest::newRow("serve poll") << "serve --retrain-poll-s -1 --workspace WS" << 1
                                << "--retrain-poll-s takes a whole number";
    QTest::newRow("train help") << "train --help" << 0 << "--commit-approved";
    QTest::newRow("epochs overflow")
        << "train --dataset v1 --epochs 99999999999 --workspace WS" << 1
        << "--epochs takes a whole number from 1 to 10000, not '99999999999'";
    QTest::newRow("batch fraction") << "train --dataset v1 --batch 2.5 --workspace WS" << 1
                                    << "--batch takes a whole number from 1 to 65536, not '2.5'";
    QTest::newRow("seed huge") << "train --dataset v1 --seed 1e30 --workspace WS" << 1
                               << "--seed takes a whole number";
    QTest::newRow("lr nan") << "train --dataset v1 --lr nan --workspace WS" << 1
                            << "--lr takes a number above 0";
    QTest::newRow("psi nan") << "settings set drift.psi_threshold nan --workspace WS" << 1
                             << "drift.psi_threshold takes a number";
}

void tst_Runs::cli()
{
    QFETCH(QString, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QStringList words = arguments.split(QLatin1Char(' '));
    words.replaceInStrings(QRegularExpression(QStringLiteral("^WS$")), folder());
    const testing::CliRun run = runDigitdesk(words);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2((run.out + run.err).contains(expected), qPrintable(run.out + run.err));
    // A refused command leaves no run behind.
    if (exitCode != 0) {
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 0);
    }
}

QTEST_GUILESS_MAIN(tst_Runs)
#include "tst_runs.moc"
