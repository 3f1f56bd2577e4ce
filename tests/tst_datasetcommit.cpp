#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/label.h"
#include "storage/modelrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/twelveimageversion.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <csignal>
#include <functional>
#include <map>
#include <set>
#include <tuple>

using namespace digitdesk;
using namespace digitdesk::testing;
using annotation::DatasetService;
using annotation::Principal;
using annotation::Role;

// Committing dataset versions: what a version holds, refusals, concurrent and killed commits,
// recovery, and an incremental commit at MNIST size.
class tst_DatasetCommit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void commitShowLog();
    void commitRefusals();
    void concurrentCommits();
    void killDuringCommit_data();
    void killDuringCommit();
    void staleReferenceLocksDoNotBlockTheNextCommit();
    void recoveryTakesBackUnrecordedTag();
    void incrementalCommitAt60000();
};

void tst_DatasetCommit::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
}

void tst_DatasetCommit::commitShowLog()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    const std::vector<int> labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 3};
    testing::labelAndApprove(workspace, 0, labels, people.annotator, people.reviewer);
    DatasetService datasets(workspace.db(), workspace.root());
    const annotation::DatasetVersion v1 =
        datasets.commit(people.reviewer, QStringLiteral("first labels"));
    QCOMPARE(v1.tag, QStringLiteral("v1"));
    QCOMPARE(v1.imageCount, 12);
    QCOMPARE(v1.histogram[3], 2);
    QCOMPARE(v1.histogram[10], 1);
    QCOMPARE(v1.author, QStringLiteral("rita"));
    QVERIFY(v1.parentTag.isEmpty());
    QCOMPARE(v1.commitId.size(), 40);
    QVERIFY2(fsckProblems(workspace.datasetRepositoryPath()).isEmpty(),
             qPrintable(fsckProblems(workspace.datasetRepositoryPath())));

    // The rows are read back from git, sorted, with the people behind each label.
    const std::vector<annotation::DatasetRow> rows = datasets.rows(people.engineer, v1.tag);
    QCOMPARE(rows.size(), labels.size());
    std::map<QString, storage::Label> expected;
    for (size_t i = 0; i < labels.size(); ++i) {
        expected.insert_or_assign(shaOf(static_cast<int>(i)),
                                  labels[i] < 0 ? storage::Label::notADigit()
                                                : storage::Label::fromDigit(labels[i]));
    }
    for (size_t i = 0; i < rows.size(); ++i) {
        QVERIFY(i == 0 || rows[i - 1].sha256 < rows[i].sha256);
        QCOMPARE(rows[i].label, expected.at(rows[i].sha256));
        QCOMPARE(rows[i].annotator, QStringLiteral("ann"));
        QCOMPARE(rows[i].reviewer, QStringLiteral("rita"));
        QCOMPARE(rows[i].source, QStringLiteral("scanner,a"));
        QVERIFY(rows[i].approvedAt.isValid());
    }
    QCOMPARE(datasets.pixels(people.reviewer, v1.tag, shaOf(4)), testing::ringPixels(4));

    // A plain git repository: the system git reads the same files.
    const QString gitDir = workspace.datasetRepositoryPath();
    const QString csv = gitOn(gitDir, "show v1:labels.csv");
    QVERIFY(csv.startsWith(QStringLiteral("sha256,label,annotator,reviewer,source,approved_at\n")));
    QVERIFY(csv.contains(QStringLiteral(",x,ann,rita,\"scanner,a\",")));
    const QJsonObject manifest =
        QJsonDocument::fromJson(gitOn(gitDir, "show v1:dataset.json").toUtf8()).object();
    QCOMPARE(manifest.value(QStringLiteral("image_count")).toInt(), 12);
    QCOMPARE(
        manifest.value(QStringLiteral("histogram")).toObject().value(QStringLiteral("x")).toInt(),
        1);
    QVERIFY(manifest.value(QStringLiteral("parent_tag")).isNull());
    const QStringList files =
        gitOn(gitDir, "ls-tree -r --name-only v1").split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(files.size(), 14);
    QVERIFY(files.contains(QStringLiteral("images/%1/%2.png").arg(shaOf(0).left(2), shaOf(0))));

    testing::labelAndApprove(workspace, 100, {7, 7, -1}, people.annotator, people.reviewer);
    const annotation::DatasetVersion v2 =
        datasets.commit(people.engineer, QStringLiteral("three more"));
    QCOMPARE(v2.tag, QStringLiteral("v2"));
    QCOMPARE(v2.parentTag, QStringLiteral("v1"));
    QCOMPARE(v2.imageCount, 15);
    QCOMPARE(storage::DatasetGit(gitDir).commitParent(v2.commitId), v1.commitId);
    const auto versions = datasets.versions(people.reviewer);
    QCOMPARE(versions.size(), size_t(2));
    QCOMPARE(versions[0].tag, QStringLiteral("v2"));

    const qint64 modelId = addFixtureModel(workspace, v2.commitId);
    QCOMPARE(datasets.modelsTrainedOn(people.reviewer, QStringLiteral("v2")),
             std::vector<qint64>{modelId});
    QVERIFY(datasets.modelsTrainedOn(people.reviewer, QStringLiteral("v1")).empty());
    const annotation::ModelLineage lineage = datasets.lineage(people.engineer, modelId);
    QCOMPARE(lineage.version.tag, QStringLiteral("v2"));
    QCOMPARE(lineage.rows.size(), size_t(15));
    const auto [images, idxLabels] =
        datasets.trainingFiles(people.engineer, v2.tag, temp.dir.filePath(QStringLiteral("train")));
    QCOMPARE(annotation::readIdxFile(images).itemCount(), qint64(13)); // digits only
    QCOMPARE(annotation::readIdxFile(idxLabels).data.count(char(7)), 3);

    testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset log");
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QStringLiteral("v2 ")) &&
                 lines[0].contains(QStringLiteral("eve")) &&
                 lines[0].contains(QStringLiteral("15 images")) &&
                 lines[0].contains(QStringLiteral("three more")),
             qPrintable(run.out));
    run = runDigitdeskOn(temp.folder(), "dataset show v2");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("models           %1").arg(modelId)),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("x:2")), qPrintable(run.out));
    QVERIFY(fsckProblems(gitDir).isEmpty());
}

void tst_DatasetCommit::commitRefusals()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    DatasetService datasets(workspace.db(), workspace.root());
    const auto commit = [&](const QString &message) {
        return testing::throws<annotation::InvalidRequest>(
            [&] { datasets.commit(people.reviewer, message); });
    };
    QVERIFY(commit(QStringLiteral("nothing approved yet")));
    testing::labelAndApprove(workspace, 0, {1, 2}, people.annotator, people.reviewer);
    QVERIFY(commit(QString()));
    QVERIFY(commit(QStringLiteral("   ")));
    QVERIFY(!commit(QStringLiteral("two")));
    QVERIFY(commit(QStringLiteral("the same again")));
    QVERIFY(testing::ownTagsAre(workspace, {QStringLiteral("v1")}));
    const testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset commit -m again");
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("nothing changed since v1")), qPrintable(run.err));
    QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());
}

void tst_DatasetCommit::concurrentCommits()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    testing::addApprovedImages(workspace, 0, 3000);
    QStringList tags;
    for (int round = 0; round < 3; ++round) {
        testing::addApprovedImages(workspace, 3000 + round * 100, 100);
        QProcess one, two;
        for (QProcess *child : {&one, &two}) {
            child->start(QStringLiteral(DIGITDESK_BINARY),
                         words("dataset commit -m")
                             << QStringLiteral("round %1").arg(round)
                             << QStringLiteral("--workspace") << temp.folder());
        }
        int succeeded = 0;
        for (QProcess *child : {&one, &two}) {
            QVERIFY(child->waitForFinished(300000));
            const QString err = QString::fromUtf8(child->readAllStandardError());
            if (child->exitCode() == 0) {
                ++succeeded;
                tags << QStringLiteral("v%1").arg(tags.size() + 1);
            } else {
                QCOMPARE(child->exitCode(), 2);
                QVERIFY2(err.contains(QStringLiteral("nothing changed since")), qPrintable(err));
            }
        }
        QCOMPARE(succeeded, 1); // both saw the same approved images: one version of them
        QVERIFY(testing::ownTagsAre(workspace, tags));
        QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());
    }
    QVERIFY(DatasetService(workspace.db(), workspace.root())
                .verify(Principal::localOperator())
                .isEmpty());
}

void tst_DatasetCommit::killDuringCommit_data()
{
    // Measured from the child's first progress line (its start-up, LibTorch's included, takes
    // most of a second): encoding, writing the pack, publishing, recording, done.
    QTest::addColumn<int>("delayMs");
    QTest::addColumn<bool>("afterProgress");
    QTest::newRow("while starting") << 0 << false;
    for (int delay : {0, 100, 250, 400, 500, 600, 2000}) {
        QTest::newRow(qPrintable(QStringLiteral("%1 ms into encoding").arg(delay)))
            << delay << true;
    }
}

void tst_DatasetCommit::killDuringCommit()
{
    QFETCH(int, delayMs);
    QFETCH(bool, afterProgress);
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const Principal who = Principal::localOperator();
    testing::addApprovedImages(workspace, 0, 100);
    DatasetService(workspace.db(), workspace.root()).commit(who, QStringLiteral("before"));
    testing::addApprovedImages(workspace, 100, 10000);

    QProcess child;
    child.start(QStringLiteral(DIGITDESK_BINARY), words("dataset commit -m killed --workspace")
                                                      << temp.folder());
    QVERIFY(child.waitForStarted());
    QByteArray progress;
    while (afterProgress && !progress.contains("Encoding new images") &&
           child.state() == QProcess::Running) {
        child.waitForReadyRead(100);
        progress += child.readAllStandardError();
    }
    // Fault injection, not synchronisation: the row's delay picks the moment of the kill.
    QThread::msleep(static_cast<unsigned long>(delayMs));
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished(60000));
    QVERIFY2(fsckProblems(workspace.datasetRepositoryPath()).isEmpty(),
             qPrintable(fsckProblems(workspace.datasetRepositoryPath())));
    DatasetService datasets(workspace.db(), workspace.root());
    const auto versions = datasets.versions(who); // the next open recovers
    // The previous version, or the new one whole when the kill came after it was recorded.
    const bool recorded = versions.size() == 2;
    qInfo() << "the killed commit was"
            << (recorded ? "recorded" : "not recorded: the previous version stands");
    QStringList expected{QStringLiteral("v1")};
    if (recorded) {
        expected << QStringLiteral("v2");
        QCOMPARE(versions.front().imageCount, 10100);
        QVERIFY(datasets.verify(who, QStringLiteral("v2")).isEmpty());
    }
    QVERIFY(testing::ownTagsAre(workspace, expected));
    QCOMPARE(storage::DatasetGit(workspace.datasetRepositoryPath()).head(),
             versions.front().commitId);

    testing::addApprovedImages(workspace, 20000, 5);
    const auto next = datasets.commit(who, QStringLiteral("after the kill"));
    QCOMPARE(next.number, static_cast<int>(expected.size()) + 1);
    QCOMPARE(next.imageCount, 10105);
    QVERIFY(datasets.verify(who, next.tag).isEmpty());
    QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());
}

void tst_DatasetCommit::staleReferenceLocksDoNotBlockTheNextCommit()
{
    // What a writer killed while moving main or a tag leaves behind.
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const Principal who = Principal::localOperator();
    testing::addApprovedImages(workspace, 0, 20);
    DatasetService datasets(workspace.db(), workspace.root());
    datasets.commit(who, QStringLiteral("first"));
    const QDir repository(workspace.datasetRepositoryPath());
    for (const QString &lock : {QStringLiteral("refs/heads/main.lock"),
                                QStringLiteral("refs/tags/v2.lock"), QStringLiteral("HEAD.lock")}) {
        QFile file(repository.filePath(lock));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    testing::addApprovedImages(workspace, 100, 5);
    const auto second = DatasetService(workspace.db(), workspace.root())
                            .commit(who, QStringLiteral("after a writer died"));
    QCOMPARE(second.tag, QStringLiteral("v2"));
    QVERIFY(!QFileInfo::exists(repository.filePath(QStringLiteral("refs/heads/main.lock"))));
    QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());
}

void tst_DatasetCommit::recoveryTakesBackUnrecordedTag()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    testing::labelAndApprove(workspace, 0, {1, 2}, people.annotator, people.reviewer);
    const auto v1 = DatasetService(workspace.db(), workspace.root())
                        .commit(people.reviewer, QStringLiteral("two"));
    // What a commit killed after publishing and before recording leaves behind.
    storage::DatasetGit git(workspace.datasetRepositoryPath());
    const storage::GitSignature who{QStringLiteral("rita"), QStringLiteral("r@example.org"),
                                    QDateTime::currentDateTimeUtc()};
    const QString orphan =
        git.writeCommit(v1.commitId, {{QStringLiteral("labels.csv"), QByteArray("x")}},
                        QStringLiteral("killed"), who);
    git.publish(orphan, v1.commitId, QStringLiteral("v2"), QStringLiteral("killed"), who);
    QCOMPARE(git.head(), orphan);

    const testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset log");
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!run.out.contains(QStringLiteral("v2")));
    QVERIFY(testing::ownTagsAre(workspace, {QStringLiteral("v1")}));
    QCOMPARE(storage::DatasetGit(workspace.datasetRepositoryPath()).head(), v1.commitId);
    QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());
    testing::labelAndApprove(workspace, 10, {3}, people.annotator, people.reviewer);
    DatasetService datasets(workspace.db(), workspace.root());
    const auto v2 = datasets.commit(people.reviewer, QStringLiteral("three"));
    QVERIFY(v2.commitId != orphan);
    QVERIFY(datasets.verify(people.reviewer).isEmpty());
}

void tst_DatasetCommit::incrementalCommitAt60000()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    testing::addApprovedImages(workspace, 0, 60000);
    DatasetService datasets(workspace.db(), workspace.root());
    QElapsedTimer timer;
    timer.start();
    const auto v1 = datasets.commit(people.reviewer, QStringLiteral("60,000"));
    qInfo() << "first commit of 60,000 images:" << timer.elapsed() << "ms";

    // 1,000 changes: 500 new images, 250 relabelled, 250 no longer approved.
    testing::addApprovedImages(workspace, 60000, 500);
    const auto ids = storage::ImageRepository(workspace.db())
                         .list({storage::ImageStatus::Approved, QStringLiteral("bulk")});
    for (size_t i = 0; i < 250; ++i) {
        testing::relabel(workspace, ids[i].id, (ids[i].label->digit() + 1) % 10, people.annotator,
                         people.reviewer);
        testing::unapprove(workspace, ids[1000 + i].id);
    }
    const storage::DatasetGit git(workspace.datasetRepositoryPath());
    const qint64 objectsBefore = testing::inPackObjects(workspace.datasetRepositoryPath());
    timer.restart();
    const auto v2 = datasets.commit(people.reviewer, QStringLiteral("1,000 changes"));
    const qint64 commitMs = timer.elapsed();
    timer.restart();
    const annotation::DatasetDiff changes = datasets.diff(people.reviewer, v1.tag, v2.tag);
    const qint64 diffMs = timer.elapsed();
    qInfo() << "incremental commit:" << commitMs << "ms; diff of 60,000 rows:" << diffMs << "ms";
    QCOMPARE(changes.added.size(), size_t(500));
    QCOMPARE(changes.deleted.size(), size_t(250));
    QCOMPARE(changes.relabelled.size(), size_t(250));
    // Only what changed was written: 750 images, labels.csv and dataset.json, in one pack.
    QCOMPARE(git.diff(v1.commitId, v2.commitId).size(), size_t(752));
    // The objects the commit added: the new images, labels.csv, dataset.json, the trees above
    // them, the commit and its tag; not 60,000 images again.
    QVERIFY(testing::inPackObjects(workspace.datasetRepositoryPath()) - objectsBefore < 1100);
    QCOMPARE(git.countObjects().looseObjects, qint64(0));
    // What it costs is printed above and measured in tests/bench/dataset_bench, not asserted:
    // the object count above is what proves the commit incremental.
}

QTEST_GUILESS_MAIN(tst_DatasetCommit)
#include "tst_datasetcommit.moc"
