#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"

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
using annotation::DatasetService;
using annotation::Principal;
using annotation::Role;
using testing::fsckProblems;
using testing::runDigitdesk;

using testing::gitOn;
using testing::People;
using testing::runDigitdeskOn;
using testing::shaOf;
using testing::words;

class tst_Dataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void commitShowLog();
    void commitRefusals();
    void diff_data();
    void diff();
    void exportAndReimport_data();
    void exportAndReimport();
    void verifyFindsTamperedImage();
    void verifyFindsMissingPack();
    void pushPullImport();
    void recoveryTakesBackUnrecordedTag();
    void concurrentCommits();
    void killDuringCommit_data();
    void killDuringCommit();
    void staleReferenceLocksDoNotBlockTheNextCommit();
    void trainingOnAVersionRecordsItsCommit();
    void incrementalCommitAt60000();
    void parsersRefuseDamagedFiles();
    void permissions_data();
    void permissions();
    void cli_data();
    void cli();

private:
    std::unique_ptr<testing::TempWorkspace> m_shared; // v1 of 12 images, for the tables
    People m_people;
};

void tst_Dataset::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_shared = std::make_unique<testing::TempWorkspace>();
    m_people = testing::addPeople(*m_shared->workspace);
    testing::labelAndApprove(*m_shared->workspace, 0, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 3},
                             m_people.annotator, m_people.reviewer);
    DatasetService(m_shared->workspace->db(), m_shared->workspace->root())
        .commit(m_people.reviewer, QStringLiteral("twelve images"));
}

void tst_Dataset::commitShowLog()
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
    std::map<QString, int> expected;
    for (size_t i = 0; i < labels.size(); ++i) {
        expected[shaOf(static_cast<int>(i))] = labels[i];
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

    storage::ModelRecord model;
    model.architecture = QStringLiteral("digitnet");
    model.sourceDigest = QStringLiteral("fixture");
    model.filePath = QStringLiteral("models/fixture.pt");
    model.fileSha256 = QStringLiteral("fixture");
    model.datasetCommit = v2.commitId;
    const qint64 modelId =
        storage::ModelRepository(workspace.db()).addModel(model, {QStringLiteral("test"), 0, 0});
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

void tst_Dataset::commitRefusals()
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

void tst_Dataset::diff_data()
{
    QTest::addColumn<int>("added");
    QTest::addColumn<int>("deleted");
    QTest::addColumn<int>("relabelled");
    QTest::newRow("added") << 3 << 0 << 0;
    QTest::newRow("deleted") << 0 << 2 << 0;
    QTest::newRow("relabelled, once to not a digit") << 0 << 0 << 2;
    QTest::newRow("all three") << 3 << 2 << 2;
}

void tst_Dataset::diff()
{
    QFETCH(int, added);
    QFETCH(int, deleted);
    QFETCH(int, relabelled);
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    const std::vector<qint64> ids = testing::labelAndApprove(
        workspace, 0, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, people.annotator, people.reviewer);
    DatasetService datasets(workspace.db(), workspace.root());
    datasets.commit(people.reviewer, QStringLiteral("ten"));
    testing::labelAndApprove(workspace, 1000, std::vector<int>(static_cast<size_t>(added), 4),
                             people.annotator, people.reviewer);
    for (int i = 0; i < deleted; ++i) {
        testing::unapprove(workspace, ids[static_cast<size_t>(i)]);
    }
    std::map<QString, std::pair<int, int>> relabels; // sha -> before, after
    for (int i = 0; i < relabelled; ++i) {
        const int seed = 9 - i;
        const int after = i == 0 ? -1 : (seed + 1) % 10;
        testing::relabel(workspace, ids[static_cast<size_t>(seed)], after, people.annotator,
                         people.reviewer);
        relabels[shaOf(seed)] = {seed, after};
    }
    datasets.commit(people.reviewer, QStringLiteral("changes"));
    QVERIFY(fsckProblems(workspace.datasetRepositoryPath()).isEmpty());

    const annotation::DatasetDiff result =
        datasets.diff(people.reviewer, QStringLiteral("v1"), QStringLiteral("v2"));
    QCOMPARE(static_cast<int>(result.added.size()), added);
    QCOMPARE(static_cast<int>(result.deleted.size()), deleted);
    QCOMPARE(static_cast<int>(result.relabelled.size()), relabelled);
    std::set<QString> addedShas;
    for (const auto &row : result.added) {
        addedShas.insert(row.sha256);
    }
    for (int i = 0; i < added; ++i) {
        QVERIFY(addedShas.count(shaOf(1000 + i)));
    }
    for (const auto &row : result.deleted) {
        QVERIFY(row.sha256 == shaOf(0) || row.sha256 == shaOf(1));
    }
    for (const auto &[before, after] : result.relabelled) {
        QCOMPARE(before.label, relabels.at(after.sha256).first);
        QCOMPARE(after.label, relabels.at(after.sha256).second);
    }

    const QJsonObject json = result.toJson().object();
    for (const char *key : {"added", "deleted", "modified", "renamed"}) {
        QVERIFY2(json.value(QLatin1String(key)).isArray(), key);
    }
    if (relabelled > 0) {
        const QJsonObject first =
            json.value(QStringLiteral("modified")).toArray().first().toObject();
        QVERIFY(
            first.value(QStringLiteral("path")).toString().startsWith(QStringLiteral("images/")));
        QVERIFY(first.value(QStringLiteral("before")).toObject().contains(QStringLiteral("label")));
    }
    testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset diff v1 v2");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("v1 -> v2: %1 added, %2 deleted, %3 relabelled")
                                    .arg(added)
                                    .arg(deleted)
                                    .arg(relabelled)),
             qPrintable(run.out));
    run = runDigitdeskOn(temp.folder(), "dataset diff v1 v2 --json");
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()), result.toJson());
}

void tst_Dataset::exportAndReimport_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("digitsOnly");
    QTest::newRow("imagefolder") << QStringLiteral("imagefolder") << false;
    QTest::newRow("idx") << QStringLiteral("idx") << true;
    QTest::newRow("csv") << QStringLiteral("csv") << true;
}

void tst_Dataset::exportAndReimport()
{
    QFETCH(QString, format);
    QFETCH(bool, digitsOnly);
    const QString out = m_shared->dir.filePath(QStringLiteral("export-") + format);
    testing::CliRun run = runDigitdeskOn(m_shared->folder(), "dataset export v1",
                                         {QStringLiteral("--format"), format, out});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.contains(QStringLiteral("1 not-a-digit images left out")), digitsOnly);
    const QString fresh = m_shared->dir.filePath(QStringLiteral("fresh-") + format);
    QCOMPARE(runDigitdesk(words("workspace init") << fresh).exitCode, 0);
    run = runDigitdeskOn(fresh, "import --labels approved", {out});
    QCOMPARE(run.exitCode, 0);

    std::map<QString, int> expected;
    const auto rows = DatasetService(m_shared->workspace->db(), m_shared->workspace->root())
                          .rows(m_people.admin, QStringLiteral("v1"));
    for (const auto &row : rows) {
        if (row.label >= 0) {
            expected[row.sha256] = row.label;
        }
        if (!digitsOnly) { // DIR/<label>/<sha256>.png, x for "not a digit"
            QFile file(QStringLiteral("%1/%2/%3.png")
                           .arg(out,
                                row.label >= 0 ? QString::number(row.label) : QStringLiteral("x"),
                                row.sha256));
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
            QString error;
            QCOMPARE(
                storage::BlobStore::digestOf(annotation::decodeDatasetPng(file.readAll(), &error)),
                row.sha256);
        }
    }
    const auto workspace = storage::Workspace::open(fresh);
    const std::map<QString, int> imported = testing::approvedLabels(*workspace);
    // The image's name is the SHA-256 of its pixels: equal names, identical pixels.
    QCOMPARE(imported, expected);
}

void tst_Dataset::verifyFindsTamperedImage()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    testing::labelAndApprove(workspace, 0, {1, 2, 3, 4, 5}, people.annotator, people.reviewer);
    const auto v1 = DatasetService(workspace.db(), workspace.root())
                        .commit(people.reviewer, QStringLiteral("five"));
    QVERIFY(DatasetService(workspace.db(), workspace.root()).verify(people.reviewer).isEmpty());
    QCOMPARE(runDigitdeskOn(temp.folder(), "dataset verify").exitCode, 0);

    // Rewrite v1 behind DigitDesk's back: the image of seed 3 gets another image's PNG.
    storage::DatasetGit git(workspace.datasetRepositoryPath());
    const QString path = QStringLiteral("images/%1/%2.png").arg(shaOf(3).left(2), shaOf(3));
    const storage::GitSignature who{QStringLiteral("mallory"), QStringLiteral("m@example.org"),
                                    QDateTime::currentDateTimeUtc()};
    const QString tampered = git.writeCommit(
        v1.commitId, {{path, annotation::encodeDatasetPng(testing::ringPixels(999))}},
        QStringLiteral("tampered"), who);
    git.unpublish(QStringLiteral("v1"), {});
    git.publish(tampered, {}, QStringLiteral("v1"), QStringLiteral("tampered"), who);
    storage::SqlQuery rewrite(workspace.db(),
                              QStringLiteral("UPDATE dataset_versions SET commit_id = :commit"),
                              QStringLiteral("rewrite v1"));
    rewrite.bind(QStringLiteral(":commit"), tampered);
    rewrite.exec();

    const QStringList problems = DatasetService(workspace.db(), workspace.root())
                                     .verify(people.reviewer, QStringLiteral("v1"));
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems[0].startsWith(QStringLiteral("v1: ") + path), qPrintable(problems[0]));
    const testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset verify v1");
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(path), qPrintable(run.out));
}

void tst_Dataset::verifyFindsMissingPack()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    const People people = testing::addPeople(workspace);
    testing::labelAndApprove(workspace, 0, {1, 2, 3}, people.annotator, people.reviewer);
    DatasetService(workspace.db(), workspace.root())
        .commit(people.reviewer, QStringLiteral("three"));
    QDir packs(workspace.datasetRepositoryPath() + QStringLiteral("/objects/pack"));
    const QStringList packFiles = packs.entryList({QStringLiteral("*.pack")}, QDir::Files);
    QVERIFY(!packFiles.isEmpty());
    for (const QString &pack : packFiles) {
        QVERIFY(QFile::remove(packs.filePath(pack)));
    }
    const QStringList problems =
        DatasetService(workspace.db(), workspace.root()).verify(people.reviewer);
    QVERIFY(!problems.filter(QRegularExpression(QStringLiteral("^v1: "))).isEmpty());
    const testing::CliRun run = runDigitdeskOn(temp.folder(), "dataset verify");
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(QStringLiteral("v1: ")), qPrintable(run.out + run.err));
}

void tst_Dataset::pushPullImport()
{
    testing::TempWorkspace first;
    const People people = testing::addPeople(*first.workspace);
    testing::labelAndApprove(*first.workspace, 0, {0, 1, 2, 3, 4, -1, 6, 7}, people.annotator,
                             people.reviewer);
    DatasetService datasets(first.workspace->db(), first.workspace->root());
    datasets.commit(people.reviewer, QStringLiteral("eight"));
    testing::labelAndApprove(*first.workspace, 50, {5, 5, 9}, people.annotator, people.reviewer);
    const auto v2 = datasets.commit(people.engineer, QStringLiteral("eleven"));

    const QString remote = first.dir.filePath(QStringLiteral("remote.git"));
    QVERIFY(!testing::runGit(words("init --bare") << remote).startsWith(QStringLiteral("FAILED")));
    testing::CliRun run = runDigitdeskOn(first.folder(), "dataset push --tags", {remote});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(gitOn(remote, "tag"), QStringLiteral("v1\nv2\n"));
    QVERIFY(fsckProblems(remote).isEmpty());

    testing::TempWorkspace second;
    run = runDigitdeskOn(second.folder(), "dataset pull", {remote});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("origin/v2")), qPrintable(run.out + run.err));
    const Principal admin = Principal::localOperator();
    DatasetService pulled(second.workspace->db(), second.workspace->root());
    const auto versions = pulled.versions(admin);
    QCOMPARE(versions.size(), size_t(2));
    QCOMPARE(versions[0].tag, QStringLiteral("origin/v2"));
    QCOMPARE(versions[0].commitId, v2.commitId);
    QCOMPARE(versions[0].parentTag, QStringLiteral("origin/v1"));
    QCOMPARE(versions[0].histogram, v2.histogram);
    QCOMPARE(versions[0].origin, QStringLiteral("origin"));
    QCOMPARE(versions[0].author, QStringLiteral("eve"));
    QCOMPARE(
        pulled.diff(admin, QStringLiteral("origin/v1"), QStringLiteral("origin/v2")).added.size(),
        size_t(3));
    QCOMPARE(pulled.pull(admin, remote, QStringLiteral("origin")).size(),
             size_t(2)); // again: no duplicates

    run = runDigitdeskOn(second.folder(), "dataset import origin/v2");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("Imported 11 new")), qPrintable(run.out + run.err));
    QCOMPARE(pulled.importVersion(admin, QStringLiteral("origin/v2")), 0);

    // Committed here, the imported images make the same rows: names, sources and times kept.
    const auto mine = pulled.commit(admin, QStringLiteral("from the remote"));
    QCOMPARE(mine.tag, QStringLiteral("v1"));
    const auto theirs = datasets.rows(people.reviewer, QStringLiteral("v2"));
    const auto ours = pulled.rows(admin, QStringLiteral("v1"));
    QCOMPARE(ours.size(), theirs.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        QCOMPARE(ours[i].sha256, theirs[i].sha256);
        QCOMPARE(ours[i].label, theirs[i].label);
        QCOMPARE(ours[i].annotator, QStringLiteral("ann"));
        QCOMPARE(ours[i].reviewer, QStringLiteral("rita"));
        QCOMPARE(ours[i].source, theirs[i].source);
        QCOMPARE(ours[i].approvedAt, theirs[i].approvedAt);
    }
    // Identical pixels make identical PNG bytes, so both repositories hold the same images tree.
    const auto imagesTree = [](const storage::Workspace &workspace, const QString &tag) {
        return gitOn(workspace.datasetRepositoryPath(), "rev-parse",
                     {tag + QStringLiteral(":images")});
    };
    QCOMPARE(imagesTree(*second.workspace, QStringLiteral("v1")),
             imagesTree(*first.workspace, QStringLiteral("v2")));
    QVERIFY(fsckProblems(second.workspace->datasetRepositoryPath()).isEmpty());
    QVERIFY(fsckProblems(first.workspace->datasetRepositoryPath()).isEmpty());
}

void tst_Dataset::recoveryTakesBackUnrecordedTag()
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

void tst_Dataset::concurrentCommits()
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

void tst_Dataset::killDuringCommit_data()
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

void tst_Dataset::killDuringCommit()
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

void tst_Dataset::staleReferenceLocksDoNotBlockTheNextCommit()
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

void tst_Dataset::trainingOnAVersionRecordsItsCommit()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    testing::addApprovedImages(workspace, 0, 300);
    const auto v1 = DatasetService(workspace.db(), workspace.root())
                        .commit(Principal::localOperator(), QStringLiteral("for training"));
    // The live tables move on after the commit; training on v1 must not see it.
    testing::addApprovedImages(workspace, 1000, 50);
    testing::CliRun run = runDigitdeskOn(temp.folder(), "train --dataset v1 --epochs 1 --batch 64");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    storage::SqlQuery query(
        workspace.db(), QStringLiteral("SELECT id, dataset_commit FROM models ORDER BY id DESC"),
        QStringLiteral("read the model"));
    query.exec();
    QVERIFY(query.next());
    const QString modelId = query.value(0).toString();
    QCOMPARE(query.value(1).toString(), v1.commitId);
    run = runDigitdeskOn(temp.folder(), "models show", {modelId});
    QVERIFY2(run.out.contains(QStringLiteral("v1 (commit %1)").arg(v1.commitId)),
             qPrintable(run.out));
    run = runDigitdeskOn(temp.folder(), "dataset show v1");
    QVERIFY2(run.out.contains(modelId), qPrintable(run.out));
    // Neither flag, or both, is a usage error.
    QCOMPARE(runDigitdeskOn(temp.folder(), "train --epochs 1").exitCode, 1);
}

void tst_Dataset::incrementalCommitAt60000()
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
        testing::relabel(workspace, ids[i].id, (ids[i].label + 1) % 10, people.annotator,
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
    // What the incremental commit costs, against the ~5 s of encoding and writing every image
    // again; the measured time is printed above.
    QVERIFY2(commitMs < 3000, qPrintable(QStringLiteral("%1 ms").arg(commitMs)));
    QVERIFY2(diffMs < 1000, qPrintable(QStringLiteral("%1 ms").arg(diffMs)));
}

void tst_Dataset::parsersRefuseDamagedFiles()
{
    // A pulled version is someone else's files: damaged ones are refused, never a crash.
    const storage::DatasetGit git(m_shared->workspace->datasetRepositoryPath());
    const QString commit = git.resolve(QStringLiteral("v1"));
    const QByteArray labels = git.readFile(commit, QStringLiteral("labels.csv"));
    const QByteArray manifest = git.readFile(commit, QStringLiteral("dataset.json"));
    QCOMPARE(annotation::datasetfiles::parseLabels(labels, QStringLiteral("labels.csv")).size(),
             size_t(12));
    QCOMPARE(annotation::datasetfiles::imageNamesOf(labels, QStringLiteral("labels.csv")).size(),
             size_t(12));
    const char noise[] = {',', '"', '\n', '\r', 'x', '0', '\0', '\xff'};
    QRandomGenerator random(7);
    for (int round = 0; round < 3000; ++round) {
        QByteArray damaged = round % 2 ? labels : manifest;
        for (int edits = 1 + random.bounded(4); edits > 0; --edits) {
            const auto at = random.bounded(damaged.size());
            switch (random.bounded(3)) {
            case 0:
                damaged[at] = noise[random.bounded(int(sizeof noise))];
                break;
            case 1:
                damaged.truncate(at);
                break;
            default:
                damaged.insert(at, noise[random.bounded(int(sizeof noise))]);
            }
            if (damaged.isEmpty()) {
                break;
            }
        }
        const QString what = QStringLiteral("damaged");
        for (const auto &parse : std::vector<std::function<void()>>{
                 [&] { annotation::datasetfiles::parseLabels(damaged, what); },
                 [&] { annotation::datasetfiles::imageNamesOf(damaged, what); },
                 [&] {
                     annotation::datasetfiles::parseManifest(damaged, what);
                 }}) {
            try {
                parse();
            } catch (const annotation::InvalidRequest &) {
            }
        }
    }
}

void tst_Dataset::permissions_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("allowedRoles"); // A annotator, R reviewer, M ml_engineer, D admin
    for (const auto &[operation, roles] :
         std::vector<std::pair<const char *, const char *>>{{"versions", "RMD"},
                                                            {"rows", "RMD"},
                                                            {"diff", "RMD"},
                                                            {"verify", "RMD"},
                                                            {"commit", "RMD"},
                                                            {"export", "MD"},
                                                            {"push", "MD"},
                                                            {"pull", "MD"},
                                                            {"import", "MD"},
                                                            {"trainingFiles", "MD"}}) {
        QTest::newRow(operation) << QString::fromLatin1(operation) << QString::fromLatin1(roles);
    }
}

void tst_Dataset::permissions()
{
    QFETCH(QString, operation);
    QFETCH(QString, allowedRoles);
    DatasetService datasets(m_shared->workspace->db(), m_shared->workspace->root());
    const QString v1 = QStringLiteral("v1");
    const QString folder = m_shared->dir.filePath(QStringLiteral("permissions-") + operation);
    const auto call = [&](const Principal &p) {
        if (operation == QStringLiteral("versions")) {
            datasets.versions(p);
        } else if (operation == QStringLiteral("rows")) {
            datasets.rows(p, v1);
        } else if (operation == QStringLiteral("diff")) {
            datasets.diff(p, v1, v1);
        } else if (operation == QStringLiteral("verify")) {
            datasets.verify(p, v1);
        } else if (operation == QStringLiteral("commit")) {
            datasets.commit(p, QStringLiteral("nothing new"));
        } else if (operation == QStringLiteral("export")) {
            datasets.exportVersion(p, v1, annotation::ExportFormat::Idx, folder + p.name);
        } else if (operation == QStringLiteral("push")) {
            datasets.push(p, folder, true);
        } else if (operation == QStringLiteral("pull")) {
            datasets.pull(p, folder);
        } else if (operation == QStringLiteral("import")) {
            datasets.importVersion(p, v1);
        } else {
            datasets.trainingFiles(p, v1, folder + p.name);
        }
    };
    const std::vector<std::pair<QChar, Principal>> people = {{QLatin1Char('A'), m_people.annotator},
                                                             {QLatin1Char('R'), m_people.reviewer},
                                                             {QLatin1Char('M'), m_people.engineer},
                                                             {QLatin1Char('D'), m_people.admin}};
    for (const auto &[letter, who] : people) {
        const bool denied = testing::throws<annotation::PermissionDenied>([&] { call(who); });
        QVERIFY2(denied != allowedRoles.contains(letter),
                 qPrintable(QStringLiteral("%1 by %2").arg(operation, who.name)));
    }
    QVERIFY(fsckProblems(m_shared->workspace->datasetRepositoryPath()).isEmpty());
}

void tst_Dataset::cli_data()
{
    QTest::addColumn<QStringList>("arguments"); // WS stands for the shared workspace
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    for (const char *sub :
         {"commit", "log", "show", "diff", "export", "verify", "push", "pull", "import"}) {
        const QString command = QStringLiteral("dataset %1").arg(QLatin1String(sub));
        QTest::newRow(qPrintable(command))
            << (command + QStringLiteral(" --help")).split(QLatin1Char(' ')) << 0
            << QStringLiteral("Usage: digitdesk ") + command;
    }
    const std::vector<std::tuple<const char *, const char *, int, const char *>> rows = {
        {"no subcommand", "dataset", 1, "missing subcommand"},
        {"unknown subcommand", "dataset fly", 1, "unknown subcommand 'fly'"},
        {"commit without -m", "dataset commit --workspace WS", 1, "-m MESSAGE is required"},
        {"bad format", "dataset export v1 --format tiff out --workspace WS", 1, "--format"},
        {"no workspace", "dataset log --workspace /nonexistent/ws", 4, "digitdesk:"},
        {"unknown version", "dataset show v9 --workspace WS", 2,
         "there is no dataset version 'v9'"},
        {"workspace before the command", "--workspace WS dataset log", 0, "twelve images"},
        {"workspace before the subcommand", "dataset --workspace WS show v1", 0, "x:1"},
        {"verify one", "dataset verify v1 --workspace WS", 0, "v1 is intact"},
    };
    for (const auto &[name, arguments, exitCode, expected] : rows) {
        QTest::newRow(name) << words(arguments) << exitCode << QString::fromUtf8(expected);
    }
}

void tst_Dataset::cli()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    arguments.replaceInStrings(QRegularExpression(QStringLiteral("^WS$")), m_shared->folder());
    const testing::CliRun run = runDigitdesk(arguments);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2((run.out + run.err).contains(expected), qPrintable(run.out + run.err));
}

QTEST_GUILESS_MAIN(tst_Dataset)
#include "tst_dataset.moc"
