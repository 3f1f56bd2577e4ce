#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "storage/sqlquery.h"
#include "storage/trainingrunrepository.h"
#include "tests/support/datasetfixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

using namespace digitdesk;
using annotation::Principal;
using annotation::TrainingRuns;
using testing::runDigitdesk;
using testing::runDigitdeskOn;

namespace {

// MNIST test digits first .. first + count - 1, imported as approved.
void addApprovedDigits(const storage::Workspace &workspace, int first, int count)
{
    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const annotation::IdxArray labels = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    storage::ImageRepository repository(workspace.db());
    storage::Transaction transaction(workspace.db());
    for (int i = first; i < first + count; ++i) {
        storage::NewImage image;
        image.pixels = images.data.mid(static_cast<qsizetype>(i) * 784, 784);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("mnist");
        image.labelKind = storage::ImportedLabel::Approved;
        image.label = static_cast<unsigned char>(labels.data[i]);
        repository.insert(image, {QStringLiteral("test"), 0, 0});
    }
    transaction.commit();
}

// `digitdesk train ...` as a child the test can signal.
std::unique_ptr<QProcess> startDigitdesk(const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    process->setProcessEnvironment(environment);
    process->start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process->closeWriteChannel();
    process->waitForStarted();
    return process;
}

// Reads the child's stdout until a line holds `needle`; false when it ended first.
bool waitForLine(QProcess &process, const QByteArray &needle, int timeoutMs = 120000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (process.canReadLine()) {
            if (process.readLine().contains(needle)) {
                return true;
            }
            continue;
        }
        if (process.state() != QProcess::Running && process.bytesAvailable() == 0) {
            return false;
        }
        process.waitForReadyRead(1000);
    }
    return false;
}

QJsonObject jsonLine(const QString &out, const QString &event)
{
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        if (object.value(QStringLiteral("event")).toString() == event) {
            return object;
        }
    }
    return {};
}

} // namespace

class tst_Runs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void trainOnAVersionIsARecordedRun();
    void killedRunIsFailedWithItsLastLines();
    void sigtermCancelsWithinTwoSeconds();
    void theGuiBeginsTheChildClaims();
    void retrainingPolicy();
    void concurrentRetrainsStartOneRun();
    void serveStartsRetrainingWhenDue();
    void permissions_data();
    void permissions();
    void cli_data();
    void cli();

private:
    std::unique_ptr<testing::TempWorkspace> m_temp; // 300 approved MNIST digits, v1 of them
    testing::People m_people;
    QString m_commit;

    const storage::Workspace &workspace() const { return *m_temp->workspace; }
    QString folder() const { return m_temp->folder(); }
    qint64 count(const QString &sql) const
    {
        storage::SqlQuery query(workspace().db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    storage::TrainingRunRecord run(qint64 id) const
    {
        return *storage::TrainingRunRepository(workspace().db()).find(id);
    }
    QStringList at() const { return {QStringLiteral("--workspace"), folder()}; }
};

void tst_Runs::init()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_people = testing::addPeople(workspace());
    addApprovedDigits(workspace(), 0, 300);
    m_commit = annotation::DatasetService(workspace().db(), workspace().root())
                   .commit(m_people.reviewer, QStringLiteral("300 digits"))
                   .commitId;
}

void tst_Runs::cleanup()
{
    m_temp.reset();
}

void tst_Runs::trainOnAVersionIsARecordedRun()
{
    const testing::CliRun train = runDigitdeskOn(
        folder(), "train --dataset v1 --epochs 1 --batch 64 --json-progress --reason", {"a test"});
    QVERIFY2(train.exitCode == 0, qPrintable(train.err));
    const QJsonObject started = jsonLine(train.out, QStringLiteral("started"));
    QCOMPARE(started.value(QStringLiteral("run")).toInteger(), 1);
    QCOMPARE(started.value(QStringLiteral("dataset")).toString(), QStringLiteral("v1"));
    QCOMPARE(started.value(QStringLiteral("commit")).toString(), m_commit);
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
    QCOMPARE(recorded.datasetCommit, m_commit);
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
          QStringLiteral("dataset version  v1 (commit %1)").arg(m_commit),
          QStringLiteral("model            %1").arg(modelId), QStringLiteral("\"epochs\":1"),
          QStringLiteral("held-out accuracy"), QStringLiteral("started because  a test")}) {
        QVERIFY2(runs.out.contains(expected),
                 qPrintable(expected + QStringLiteral("\n") + runs.out));
    }
}

void tst_Runs::killedRunIsFailedWithItsLastLines()
{
    auto child =
        startDigitdesk(QStringList{QStringLiteral("train"), QStringLiteral("--dataset"),
                                   QStringLiteral("v1"), QStringLiteral("--epochs"),
                                   QStringLiteral("200"), QStringLiteral("--json-progress")} +
                       at());
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
    auto child =
        startDigitdesk(QStringList{QStringLiteral("train"), QStringLiteral("--dataset"),
                                   QStringLiteral("v1"), QStringLiteral("--epochs"),
                                   QStringLiteral("200"), QStringLiteral("--json-progress")} +
                       at());
    QVERIFY(waitForLine(*child, "\"event\":\"progress\""));
    QElapsedTimer timer;
    timer.start();
    ::kill(static_cast<pid_t>(child->processId()), SIGTERM);
    QVERIFY(child->waitForFinished(10000));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
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
    const qint64 id = runs.beginRun(m_people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    QCOMPARE(run(id).pid, 0);
    QCOMPARE(run(id).datasetCommit, m_commit);
    // One run at a time.
    QVERIFY(testing::throws<annotation::RunInProgress>(
        [&] { runs.beginRun(m_people.admin, QStringLiteral("v1"), QStringLiteral("{}")); }));
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
        runs.beginRun(m_people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    QVERIFY(runs.markCancelled(m_people.engineer, second, QStringLiteral("changed my mind")));
    QVERIFY(
        !runs.markFailed(m_people.engineer, second, QStringLiteral("too late"))); // first stands
    child = runDigitdeskOn(folder(), "train --epochs 1 --run", {QString::number(second)});
    QCOMPARE(child.exitCode, 2);
    QVERIFY2(child.err.contains(QStringLiteral("cancelled already: changed my mind")),
             qPrintable(child.err));

    // A run that no process took within five minutes is failed at the next look.
    const qint64 third =
        runs.beginRun(m_people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
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

void tst_Runs::retrainingPolicy()
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
    cli = runDigitdeskOn(folder(), "models promote 1 --reason", {QStringLiteral("first model")});
    QVERIFY2(cli.exitCode == 0 && cli.out.contains(QStringLiteral("production is now model 1")),
             qPrintable(cli.out + cli.err));

    // 60 labels approved by a reviewer since v1: under the threshold.
    std::vector<int> labels(60);
    for (int i = 0; i < 60; ++i) {
        labels[static_cast<size_t>(i)] = i % 10;
    }
    testing::labelAndApprove(workspace(), 1000, labels, m_people.annotator, m_people.reviewer);
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.out.contains(
                 QStringLiteral("not due: 60 new approved labels since v1 (threshold 100)")),
             qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);

    // Over it, but a run is running: none starts.
    addApprovedDigits(workspace(), 300, 60);
    TrainingRuns runs(workspace().db(), workspace().root());
    const qint64 gui = runs.beginRun(m_people.engineer, QStringLiteral("v1"), QStringLiteral("{}"));
    cli = runDigitdeskOn(folder(), "retrain --if-due");
    QVERIFY2(cli.exitCode == 0 &&
                 cli.out.contains(QStringLiteral("not due: run %1 is running").arg(gui)),
             qPrintable(cli.out + cli.err));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 2);
    runs.markCancelled(m_people.engineer, gui, QStringLiteral("made way"));

    // Due: one run on a new version, with the policy's reason.
    const auto check = annotation::RetrainingPolicy(workspace().db()).due(m_people.engineer);
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
}

void tst_Runs::concurrentRetrainsStartOneRun()
{
    annotation::RetrainingPolicy(workspace().db()).setMinNewLabels(m_people.engineer, 50);
    addApprovedDigits(workspace(), 300, 50);
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

void tst_Runs::serveStartsRetrainingWhenDue()
{
    annotation::RetrainingPolicy(workspace().db()).setMinNewLabels(m_people.admin, 300);
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
    QVERIFY2(log.contains(QStringLiteral("retraining is due (300 approved labels, none in a "
                                         "version a model was trained on (threshold 300))")),
             qPrintable(log));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM training_runs")), 1);
    QVERIFY(run(1).startedBecause.startsWith(annotation::RetrainingPolicy::ReasonPrefix));
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
            runs.markCancelled(m_people.admin, id, QStringLiteral("test"));
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
    const qint64 first = runs.beginRun(m_people.admin, QStringLiteral("v1"), QStringLiteral("{}"));
    runs.markCancelled(m_people.admin, first, QStringLiteral("fixture"));
    for (const Principal &who : {m_people.annotator, m_people.reviewer}) {
        QVERIFY2(testing::throws<annotation::PermissionDenied>([&] { call(who); }),
                 qPrintable(who.name));
    }
    for (const Principal &who : {m_people.engineer, m_people.admin}) {
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
}

QTEST_GUILESS_MAIN(tst_Runs)
#include "tst_runs.moc"
