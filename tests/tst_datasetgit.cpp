#include "tests/support/datasetgitfixture.h"

using namespace digitdesk;
using namespace digitdesk::testing::gitfixture;
using storage::DatasetGit;
using storage::TreeChange;
using storage::TreeDifference;

// Reading dataset.git through libgit2: files, commits, tags, sorted listings, diffs, errors
// that say what failed, and the repository a new workspace creates.
class tst_DatasetGit : public DatasetGitFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { publishTwoVersions(); }
    void readsBackFiles_data();
    void readsBackFiles();
    void readsCommitsAndTags();
    void listsFilesSorted_data();
    void listsFilesSorted();
    void diffsVersions();
    void errorsSayWhatFailed_data();
    void errorsSayWhatFailed();
    void workspaceCreatesTheRepository();
};

void tst_DatasetGit::readsBackFiles_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("labels v1") << "v1"
                               << "labels.csv" << LabelsV1;
    QTest::newRow("labels v2") << "v2"
                               << "labels.csv" << LabelsV2;
    QTest::newRow("kept json") << "v2"
                               << "dataset.json" << QByteArray("{\"schema\":1}\n");
    QTest::newRow("nested image") << "v1" << imagePath(m_pngB) << m_pngB;
    QTest::newRow("added image") << "v2" << imagePath(m_pngD) << m_pngD;
}

void tst_DatasetGit::readsBackFiles()
{
    QFETCH(QString, tag);
    QFETCH(QString, path);
    QFETCH(QByteArray, content);
    QCOMPARE(m_git->readFile(m_git->resolve(tag), path), content);
    QCOMPARE(m_git->readFile(tag, path), content);
}

void tst_DatasetGit::readsCommitsAndTags()
{
    QCOMPARE(m_git->head(), m_v2);
    QCOMPARE(m_git->resolve(QStringLiteral("main")), m_v2);
    QCOMPARE(m_git->commitParent(m_v2), m_v1);
    QCOMPARE(m_git->commitParent(m_v1), QString());
    QCOMPARE(m_git->commitMessage(m_v1), QStringLiteral("Version 1\n\nthree images"));
    const storage::GitSignature author = m_git->commitAuthor(m_v2);
    QCOMPARE(author.name, QStringLiteral("Grace"));
    QCOMPARE(author.email, QStringLiteral("grace@example.org"));
    QCOMPARE(author.when, someone().when);
    const std::vector<storage::GitTag> tags = m_git->tags();
    QCOMPARE(tags.size(), size_t(2));
    QCOMPARE(tags[0].name + tags[0].commitId, QStringLiteral("v1") + m_v1);
    QCOMPARE(tags[1].name + tags[1].commitId, QStringLiteral("v2") + m_v2);
}

void tst_DatasetGit::listsFilesSorted_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QStringList>("files");
    QStringList v1{QStringLiteral("dataset.json"), QStringLiteral("labels.csv"), imagePath(m_pngA),
                   imagePath(m_pngB), imagePath(m_pngC)};
    QStringList v2 = v1;
    v2.replace(3, imagePath(m_pngD));
    v1.sort();
    v2.sort();
    const auto under = [](const QStringList &files, const QString &prefix) {
        QStringList matching = files;
        matching.removeIf([&](const QString &file) { return !file.startsWith(prefix); });
        return matching;
    };
    const QString folderA = imagePath(m_pngA).left(10); // "images/ab/"
    const QString folderB = imagePath(m_pngB).left(10);
    QTest::newRow("everything") << "v1" << QString() << v1;
    QTest::newRow("images") << "v1"
                            << "images/" << under(v1, QStringLiteral("images/"));
    QTest::newRow("one folder") << "v1" << folderA << under(v1, folderA);
    QTest::newRow("partial name") << "v1" << folderA.left(8) << under(v1, folderA.left(8));
    QTest::newRow("file name") << "v2"
                               << "labels" << QStringList{QStringLiteral("labels.csv")};
    QTest::newRow("no such folder") << "v1"
                                    << "models/" << QStringList();
    QTest::newRow("emptied folder") << "v2" << folderB << under(v2, folderB);
}

void tst_DatasetGit::listsFilesSorted()
{
    QFETCH(QString, tag);
    QFETCH(QString, prefix);
    QFETCH(QStringList, files);
    QCOMPARE(m_git->listFiles(m_git->resolve(tag), prefix), files);
}

void tst_DatasetGit::diffsVersions()
{
    QStringList expected{QStringLiteral("D ") + imagePath(m_pngB),
                         QStringLiteral("A ") + imagePath(m_pngD), QStringLiteral("M labels.csv")};
    std::sort(expected.begin(), expected.end(),
              [](const QString &a, const QString &b) { return a.mid(2) < b.mid(2); });
    QStringList differences;
    for (const TreeDifference &difference : m_git->diff(m_v1, m_v2)) {
        differences << QString::fromLatin1("ADM").at(int(difference.kind)) + QLatin1Char(' ') +
                           difference.path;
    }
    QCOMPARE(differences, expected);
    const std::vector<TreeDifference> fromNothing = m_git->diff({}, m_v1);
    QCOMPARE(fromNothing.size(), size_t(5));
    QVERIFY(std::all_of(fromNothing.begin(), fromNothing.end(), [](const TreeDifference &d) {
        return d.kind == TreeDifference::Kind::Added;
    }));
    QVERIFY(m_git->diff(m_v2, m_v2).empty());
}

void tst_DatasetGit::errorsSayWhatFailed_data()
{
    QTest::addColumn<RepositoryAction>("action");
    QTest::addColumn<QString>("message");
    const auto commitWith = [](const QString &parent, const QString &path) {
        return RepositoryAction([=](DatasetGit &repository) {
            repository.writeCommit(parent, {put(path, "x")}, QStringLiteral("Version 5"),
                                   someone());
        });
    };
    QTest::newRow("unknown tag") << RepositoryAction([](DatasetGit &r) { r.resolve("v9"); })
                                 << "resolving \"v9\": no tag, branch or commit has that name";
    QTest::newRow("missing file") << RepositoryAction([](DatasetGit &r) {
        r.readFile("v1", "x.csv");
    }) << "reading x.csv of v1: no such file";
    QTest::newRow("folder read as file")
        << RepositoryAction([](DatasetGit &r) { r.readFile("v1", "images"); }) << "not a file";
    QTest::newRow("unknown parent") << commitWith(QString(40, u'e'), "a")
                                    << "writing the commit \"Version 5\": reading commit eeee";
    QTest::newRow("empty path component")
        << commitWith({}, "images//a.png")
        << "writing tree for \"Version 5\": \"images//a.png\" is not a file path";
    QTest::newRow("file over folder") << commitWith("v1", "images") << "images is a folder";
    QTest::newRow("folder removed as a file") << RepositoryAction([](DatasetGit &r) {
        r.writeCommit("v1", {{"images", std::nullopt}}, "Version 5", someone());
    }) << "images is a folder";
    QTest::newRow("folder over file") << commitWith("v1", "labels.csv/x") << "labels.csv is a file";
    QTest::newRow("dot git") << commitWith({}, ".git/x") << "writing tree";
    QTest::newRow("bad remote name")
        << RepositoryAction([](DatasetGit &r) { r.fetch(r.path(), "a/b"); })
        << "\"a/b\" cannot name a remote";
    QTest::newRow("not a repository")
        << RepositoryAction([](DatasetGit &r) { DatasetGit(r.path() + QStringLiteral("/refs")); })
        << "opening the dataset repository";
}

void tst_DatasetGit::errorsSayWhatFailed()
{
    QFETCH(RepositoryAction, action);
    QFETCH(QString, message);
    const DatasetGit::ObjectCounts before = m_git->countObjects();
    const QString error = errorOf([&] { action(*m_git); });
    QVERIFY2(error.contains(message), qPrintable(error));
    QCOMPARE(m_git->countObjects().looseObjects, 0);
    QCOMPARE(m_git->countObjects().packs, before.packs);
}

void tst_DatasetGit::workspaceCreatesTheRepository()
{
    testing::TempWorkspace temp;
    DatasetGit repository(temp.workspace->datasetRepositoryPath());
    QCOMPARE(repository.head(), QString());
    QCOMPARE(git(repository.path(), QStringLiteral("symbolic-ref HEAD")).lines(),
             QStringList{QStringLiteral("refs/heads/main")});
    const QString v1 =
        repository.writeCommit({}, {put("a", "a\n")}, QStringLiteral("1"), someone());
    repository.publish(v1, {}, QStringLiteral("v1"), QStringLiteral("1"), someone());
    verifyFsckClean(repository.path());
}

QTEST_GUILESS_MAIN(tst_DatasetGit)
#include "tst_datasetgit.moc"
