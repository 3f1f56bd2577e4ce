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

// Versions going out and coming back: diffs, exports re-imported, push, pull and import, and
// damage found by verify and by the parsers.
class tst_DatasetExchange : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void diff_data();
    void diff();
    void exportAndReimport_data();
    void exportAndReimport();
    void pushPullImport();
    void verifyFindsTamperedImage();
    void verifyFindsMissingPack();
    void parsersRefuseDamagedFiles();

private:
    std::unique_ptr<testing::TwelveImageWorkspace> m_shared; // for the tables
};

void tst_DatasetExchange::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_shared = std::make_unique<testing::TwelveImageWorkspace>();
}

void tst_DatasetExchange::diff_data()
{
    QTest::addColumn<int>("added");
    QTest::addColumn<int>("deleted");
    QTest::addColumn<int>("relabelled");
    QTest::newRow("added") << 3 << 0 << 0;
    QTest::newRow("deleted") << 0 << 2 << 0;
    QTest::newRow("relabelled, once to not a digit") << 0 << 0 << 2;
    QTest::newRow("all three") << 3 << 2 << 2;
}

void tst_DatasetExchange::diff()
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
    const auto labelOf = [](int label) { // -1: "not a digit"
        return label < 0 ? storage::Label::notADigit() : storage::Label::fromDigit(label);
    };
    for (const auto &[before, after] : result.relabelled) {
        QCOMPARE(before.label, labelOf(relabels.at(after.sha256).first));
        QCOMPARE(after.label, labelOf(relabels.at(after.sha256).second));
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

void tst_DatasetExchange::exportAndReimport_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("digitsOnly");
    QTest::newRow("imagefolder") << QStringLiteral("imagefolder") << false;
    QTest::newRow("idx") << QStringLiteral("idx") << true;
    QTest::newRow("csv") << QStringLiteral("csv") << true;
}

void tst_DatasetExchange::exportAndReimport()
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
                          .rows(m_shared->people.admin, QStringLiteral("v1"));
    for (const auto &row : rows) {
        if (row.label.isDigit()) {
            expected[row.sha256] = row.label.digit();
        }
        if (!digitsOnly) { // DIR/<label>/<sha256>.png, x for "not a digit"
            QFile file(QStringLiteral("%1/%2/%3.png").arg(out, row.label.text(), row.sha256));
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

void tst_DatasetExchange::pushPullImport()
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

void tst_DatasetExchange::verifyFindsTamperedImage()
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

void tst_DatasetExchange::verifyFindsMissingPack()
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

void tst_DatasetExchange::parsersRefuseDamagedFiles()
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

QTEST_GUILESS_MAIN(tst_DatasetExchange)
#include "tst_datasetexchange.moc"
