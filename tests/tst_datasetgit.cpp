#include "storage/datasetgit.h"
#include "storage/storageerror.h"
#include "tests/support/testdata.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <optional>

using namespace digitdesk;
using storage::DatasetGit;
using storage::TreeChange;
using storage::TreeDifference;

using RepositoryAction = std::function<void(DatasetGit &)>;
Q_DECLARE_METATYPE(RepositoryAction)
Q_DECLARE_METATYPE(std::vector<TreeChange>)

namespace {

const QByteArray LabelsV1("id,label\na,1\nb,2\n");
const QByteArray LabelsV2("id,label\na,7\nc,3\n");

// A 28x28 PNG stand-in: the signature, then bytes as incompressible as a real PNG's.
QByteArray fakePng(quint32 seed)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
    QRandomGenerator random(seed);
    while (bytes.size() < 300) {
        bytes.append(char(random.bounded(256)));
    }
    return bytes;
}

QString imagePath(const QByteArray &png)
{
    const QString hex =
        QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex());
    return QStringLiteral("images/%1/%2.png").arg(hex.left(2), hex);
}

TreeChange put(const QString &path, const QByteArray &content)
{
    return {path, content};
}

storage::GitSignature someone(const QString &name = QStringLiteral("Ada"))
{
    return {name, name.toLower() + QStringLiteral("@example.org"),
            QDateTime(QDate(2024, 5, 17), QTime(9, 30), Qt::UTC)};
}

struct GitRun
{
    int exitCode = -1;
    QString output;
    QStringList lines() const { return output.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
};

// The system git in `repository` (none: the current folder), with no user or system
// configuration in the way; `arguments` are split at spaces.
GitRun git(const QString &repository, const QString &arguments, const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    environment.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    QStringList all = arguments.split(QLatin1Char(' '));
    if (!repository.isEmpty()) {
        all = QStringList{QStringLiteral("-C"), repository} + all;
    }
    process.start(QStringLiteral("git"), all);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAll())};
}

void verifyFsckClean(const QString &repository)
{
    const GitRun fsck = git(repository, QStringLiteral("fsck --strict --full --no-dangling"));
    // Notices are not findings: "HEAD points to an unborn branch" while nothing is published.
    QStringList findings = fsck.lines();
    findings.removeIf([](const QString &line) { return line.startsWith(u"notice:"); });
    QVERIFY2(fsck.exitCode == 0 && findings.isEmpty(), qPrintable(fsck.output));
}

QString errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const storage::StorageError &error) {
        return error.message();
    }
    return {};
}

QSet<QString> packBaseNames(const QString &repository)
{
    QSet<QString> names;
    QDirIterator it(repository + QStringLiteral("/objects/pack"), {QStringLiteral("*.idx")});
    while (it.hasNext()) {
        names.insert(it.next().chopped(4));
    }
    return names;
}

// How many objects each pack that appeared since `before` holds.
QList<int> newPackSizes(const QString &repository, const QSet<QString> &before)
{
    QList<int> sizes;
    for (const QString &pack : packBaseNames(repository) - before) {
        QFile index(pack + QStringLiteral(".idx"));
        sizes << (index.open(QIODevice::ReadOnly)
                      ? int(git({}, QStringLiteral("show-index"), index.readAll()).lines().size())
                      : -1);
    }
    return sizes;
}

void copyFolder(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    QDir().mkpath(to);
    while (it.hasNext()) {
        const QString source = it.next();
        if (it.fileInfo().isDir()) {
            QDir().mkpath(to + source.mid(from.size()));
        } else {
            QFile::copy(source, to + source.mid(from.size()));
        }
    }
}

qint64 peakResidentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    const QList<QByteArray> lines =
        status.open(QIODevice::ReadOnly) ? status.readAll().split('\n') : QList<QByteArray>();
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() / 1024;
        }
    }
    return 0;
}

} // namespace

class tst_DatasetGit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsBackFiles_data();
    void readsBackFiles();
    void readsCommitsAndTags();
    void listsFilesSorted_data();
    void listsFilesSorted();
    void diffsVersions();
    void packsOnlyNewObjects_data();
    void packsOnlyNewObjects();
    void publishRefuses_data();
    void publishRefuses();
    void unpublishRestoresPreviousState();
    void checkObjectsFindsDamage_data();
    void checkObjectsFindsDamage();
    void pushesAndFetches();
    void systemGitReadsIt();
    void errorsSayWhatFailed_data();
    void errorsSayWhatFailed();
    void workspaceCreatesTheRepository();
    void largeCommitIsFastAndSmall();

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::optional<DatasetGit> m_git;
    QString m_v1;
    QString m_v2;
    QString m_packOfV2; // objects/pack/pack-<id>, without .pack or .idx
    QByteArray m_pngA = fakePng(1), m_pngB = fakePng(2), m_pngC = fakePng(3), m_pngD = fakePng(4);
};

void tst_DatasetGit::initTestCase()
{
    QVERIFY2(git({}, QStringLiteral("--version")).exitCode == 0, "the system git is needed");
    m_path = m_dir.filePath(QStringLiteral("dataset.git"));
    m_git.emplace(m_path, /*createIfMissing=*/true);
    QCOMPARE(m_git->head(), QString());
    m_v1 = m_git->writeCommit({},
                              {put(QStringLiteral("labels.csv"), LabelsV1),
                               put(QStringLiteral("dataset.json"), "{\"schema\":1}\n"),
                               put(imagePath(m_pngA), m_pngA), put(imagePath(m_pngB), m_pngB),
                               put(imagePath(m_pngC), m_pngC)},
                              QStringLiteral("Version 1\n\nthree images"), someone());
    m_git->publish(m_v1, {}, QStringLiteral("v1"), QStringLiteral("first"), someone());
    verifyFsckClean(m_path);
    const QSet<QString> packsBefore = packBaseNames(m_path);
    m_v2 = m_git->writeCommit(m_v1,
                              {put(QStringLiteral("labels.csv"), LabelsV2),
                               {imagePath(m_pngB), std::nullopt},
                               put(imagePath(m_pngD), m_pngD),
                               {QStringLiteral("not/there.png"), std::nullopt}},
                              QStringLiteral("Version 2"), someone(QStringLiteral("Grace")));
    const QSet<QString> packsOfV2 = packBaseNames(m_path) - packsBefore;
    QCOMPARE(packsOfV2.size(), 1);
    m_packOfV2 = *packsOfV2.begin();
    m_git->publish(m_v2, m_v1, QStringLiteral("v2"), QStringLiteral("second"), someone());
    verifyFsckClean(m_path);
}

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

void tst_DatasetGit::packsOnlyNewObjects_data()
{
    QTest::addColumn<std::vector<TreeChange>>("changes");
    QTest::addColumn<int>("newObjects"); // in the commit's pack
    const QByteArray png = fakePng(99);
    QTest::newRow("nothing changed") << std::vector<TreeChange>{} << 1; // the commit
    QTest::newRow("labels") << std::vector<TreeChange>{put("labels.csv", "x\n")}
                            << 3; // and blob, root tree
    QTest::newRow("new image") << std::vector<TreeChange>{put(imagePath(png), png)}
                               << 5; // and blob, two folders, root
    QTest::newRow("known image elsewhere")
        << std::vector<TreeChange>{put(QStringLiteral("copy.png"), m_pngA)} << 2; // root, commit
}

void tst_DatasetGit::packsOnlyNewObjects()
{
    QFETCH(std::vector<TreeChange>, changes);
    QFETCH(int, newObjects);
    const QSet<QString> before = packBaseNames(m_path);
    const DatasetGit::ObjectCounts counts = m_git->countObjects();
    QCOMPARE(counts.looseObjects, 0);
    QCOMPARE(counts.packs, before.size());
    const QString commit = m_git->writeCommit(m_v2, changes, QStringLiteral("more"), someone());
    QCOMPARE(newPackSizes(m_path, before), QList<int>{newObjects});
    QCOMPARE(m_git->countObjects().looseObjects, 0);
    QCOMPARE(m_git->countObjects().packs, counts.packs + 1);
    QCOMPARE(m_git->head(), m_v2); // not published
    QVERIFY(m_git->checkObjects(commit).isEmpty());
}

void tst_DatasetGit::publishRefuses_data()
{
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("expectedHead"); // "v1", "v2" or empty
    QTest::addColumn<QString>("reason");
    QTest::newRow("existing tag") << "v1"
                                  << "v2"
                                  << "the tag v1 already exists";
    QTest::newRow("stale head") << "v3"
                                << "v1"
                                << "not at";
    QTest::newRow("head expected absent") << "v3"
                                          << ""
                                          << "not at no commit";
    QTest::newRow("invalid tag name") << "v 3"
                                      << "v2"
                                      << "not a valid tag name";
}

void tst_DatasetGit::publishRefuses()
{
    QFETCH(QString, tag);
    QFETCH(QString, expectedHead);
    QFETCH(QString, reason);
    const QString head = expectedHead.isEmpty() ? QString() : m_git->resolve(expectedHead);
    const QString commit = m_git->writeCommit(m_v2, {put("labels.csv", "z\n")},
                                              QStringLiteral("Version 3"), someone());
    const QString error =
        errorOf([&] { m_git->publish(commit, head, tag, QStringLiteral("third"), someone()); });
    QVERIFY2(error.startsWith(QStringLiteral("publishing ") + tag), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QCOMPARE(m_git->head(), m_v2);
    QCOMPARE(m_git->tags().size(), size_t(2));
}

void tst_DatasetGit::unpublishRestoresPreviousState()
{
    QTemporaryDir dir;
    DatasetGit repository(dir.filePath(QStringLiteral("d.git")), true);
    const QString v1 =
        repository.writeCommit({}, {put("a.txt", "1\n")}, QStringLiteral("1"), someone());
    repository.publish(v1, {}, QStringLiteral("v1"), QStringLiteral("1"), someone());
    const QString v2 =
        repository.writeCommit(v1, {put("a.txt", "2\n")}, QStringLiteral("2"), someone());
    repository.publish(v2, v1, QStringLiteral("v2"), QStringLiteral("2"), someone());

    repository.unpublish(QStringLiteral("v2"), v1);
    QCOMPARE(repository.head(), v1);
    QCOMPARE(repository.tags().size(), size_t(1));
    verifyFsckClean(repository.path());
    repository.unpublish(QStringLiteral("v2"), v1); // again: recovery may run twice
    QVERIFY(
        !errorOf([&] { repository.unpublish(QStringLiteral("v1"), QString(40, u'e')); }).isEmpty());
    QCOMPARE(repository.tags().size(), size_t(1)); // an unknown commit changes nothing
    repository.unpublish(QStringLiteral("v1"), {});
    QCOMPARE(repository.head(), QString());
    QVERIFY(repository.tags().empty());
    verifyFsckClean(repository.path());
    repository.publish(v1, {}, QStringLiteral("v1"), QStringLiteral("1"), someone());
    QCOMPARE(repository.head(), v1);
    verifyFsckClean(repository.path());
}

void tst_DatasetGit::checkObjectsFindsDamage_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reported");
    QTest::newRow("intact") << "none"
                            << "";
    QTest::newRow("pack of v2 deleted") << "delete pack"
                                        << "commit " + m_v2;
    QTest::newRow("pack of v2 damaged") << "flip bytes" << QString();
    QTest::newRow("labels.csv deleted") << "delete blob"
                                        << "(labels.csv)";
    QTest::newRow("labels.csv swapped") << "swap blob"
                                        << "(labels.csv)";
}

void tst_DatasetGit::checkObjectsFindsDamage()
{
    QFETCH(QString, damage);
    QFETCH(QString, reported);
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("copy.git"));
    copyFolder(m_path, copy);
    QFile pack(copy + m_packOfV2.mid(m_path.size()) + QStringLiteral(".pack"));
    if (damage == u"delete pack") {
        QVERIFY(pack.remove());
    } else if (damage == u"flip bytes") {
        QVERIFY(pack.open(QIODevice::ReadWrite));
        QByteArray bytes = pack.readAll();
        for (qsizetype at = 12; at < bytes.size() - 20; at += 7) { // past the header
            bytes[at] = char(bytes[at] ^ 0x5a);
        }
        QVERIFY(pack.seek(0) && pack.write(bytes) == bytes.size());
        pack.close();
    } else if (damage != u"none") {
        // v2's objects as loose files, then the labels blob deleted or swapped for the tree's.
        QVERIFY(pack.open(QIODevice::ReadOnly));
        const QByteArray bytes = pack.readAll();
        pack.close();
        QVERIFY(pack.remove() &&
                QFile::remove(pack.fileName().chopped(5) + QStringLiteral(".idx")));
        QCOMPARE(git(copy, QStringLiteral("unpack-objects"), bytes).exitCode, 0);
        const QStringList ids =
            git(copy, QStringLiteral("rev-parse %1:labels.csv %1^{tree}").arg(m_v2)).lines();
        const auto loose = [&](const QString &id) {
            return copy + QStringLiteral("/objects/") + id.left(2) + QLatin1Char('/') + id.mid(2);
        };
        QVERIFY(ids.size() == 2 && QFile::remove(loose(ids[0])));
        if (damage == u"swap blob") {
            QVERIFY(QFile::copy(loose(ids[1]), loose(ids[0])));
        }
    }
    const QString problems = DatasetGit(copy).checkObjects(m_v2).join(QLatin1Char('\n'));
    QVERIFY2(problems.isEmpty() == (damage == u"none"), qPrintable(problems));
    QVERIFY2(problems.contains(reported), qPrintable(problems));
    QVERIFY(DatasetGit(copy).checkObjects(m_v1).isEmpty()); // v1's own objects are intact
}

void tst_DatasetGit::pushesAndFetches()
{
    QTemporaryDir dir;
    const QString remote = dir.filePath(QStringLiteral("remote.git"));
    QCOMPARE(git({}, QStringLiteral("init --bare --initial-branch=main ") + remote).exitCode, 0);
    m_git->push(remote, /*withTags=*/true);
    QCOMPARE(git(remote, QStringLiteral("rev-parse main v1^{commit}")).lines(),
             (QStringList{m_v2, m_v1}));
    verifyFsckClean(remote);
    m_git->push(remote, true); // nothing new: fine

    DatasetGit other(dir.filePath(QStringLiteral("other.git")), true);
    const std::vector<storage::GitTag> fetched = other.fetch(remote, QStringLiteral("origin"));
    QCOMPARE(fetched.size(), size_t(2));
    QCOMPARE(fetched[0].name + fetched[0].commitId, QStringLiteral("origin/v1") + m_v1);
    QCOMPARE(fetched[1].name + fetched[1].commitId, QStringLiteral("origin/v2") + m_v2);
    QCOMPARE(other.tags().size(), size_t(2));
    QCOMPARE(other.resolve(QStringLiteral("origin/v2")), m_v2);
    QCOMPARE(other.resolve(QStringLiteral("origin/main")), m_v2);
    QCOMPARE(other.readFile(QStringLiteral("origin/v1"), QStringLiteral("labels.csv")), LabelsV1);
    QCOMPARE(other.head(), QString()); // fetching publishes nothing
    QVERIFY(other.checkObjects(m_v2).isEmpty());
    QCOMPARE(other.countObjects().looseObjects, 0);
    verifyFsckClean(other.path());
    QCOMPARE(other.fetch(remote, QStringLiteral("origin")).size(), size_t(2)); // again

    // A repository with a history of its own cannot push over the remote's.
    const QString unrelated =
        other.writeCommit({}, {put("a.txt", "mine\n")}, QStringLiteral("mine"), someone());
    other.publish(unrelated, {}, QStringLiteral("v1"), QStringLiteral("mine"), someone());
    const QString error = errorOf([&] { other.push(remote, false); });
    QVERIFY2(error.startsWith(QStringLiteral("pushing to ")) && error.contains(u"fast-forward"),
             qPrintable(error));
    QCOMPARE(git(remote, QStringLiteral("rev-parse main")).lines(), QStringList{m_v2});
    QVERIFY(!errorOf([&] {
                 m_git->push(dir.filePath(QStringLiteral("nowhere.git")), true);
             }).isEmpty());
}

void tst_DatasetGit::systemGitReadsIt()
{
    const GitRun log = git(m_path, QStringLiteral("log --format=%H main"));
    QCOMPARE(log.lines(), (QStringList{m_v2, m_v1}));
    QCOMPARE(git(m_path, QStringLiteral("show v1:labels.csv")).output.toUtf8(), LabelsV1);
    QTemporaryDir dir;
    const QString clone = dir.filePath(QStringLiteral("clone"));
    const GitRun cloned = git({}, QStringLiteral("clone --quiet %1 %2").arg(m_path, clone));
    QVERIFY2(cloned.exitCode == 0, qPrintable(cloned.output));
    QFile labels(clone + QStringLiteral("/labels.csv"));
    QVERIFY(labels.open(QIODevice::ReadOnly));
    QCOMPARE(labels.readAll(), LabelsV2);
    QVERIFY(QFile::exists(clone + QLatin1Char('/') + imagePath(m_pngD)));
    verifyFsckClean(m_path);
    const QStringList counted = git(m_path, QStringLiteral("count-objects -v")).lines();
    const DatasetGit::ObjectCounts counts = m_git->countObjects();
    QVERIFY(counted.contains(QStringLiteral("count: %1").arg(counts.looseObjects)));
    QVERIFY(counted.contains(QStringLiteral("packs: %1").arg(counts.packs)));
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

void tst_DatasetGit::largeCommitIsFastAndSmall()
{
    constexpr int Images = 60000;
    QTemporaryDir dir;
    DatasetGit repository(dir.filePath(QStringLiteral("large.git")), true);
    std::vector<TreeChange> changes;
    for (quint32 i = 0; i < Images; ++i) {
        const QByteArray png = fakePng(i + 1000);
        changes.push_back(put(imagePath(png), png));
    }
    const qint64 peakBefore = peakResidentMiB();
    QElapsedTimer timer;
    timer.start();
    const QString v1 = repository.writeCommit({}, changes, QStringLiteral("large"), someone());
    const qint64 firstMs = timer.restart();
    const QSet<QString> packsOfV1 = packBaseNames(repository.path());
    changes.clear();
    for (quint32 i = 0; i < 10; ++i) {
        const QByteArray png = fakePng(i + 9000000);
        changes.push_back(put(imagePath(png), png));
    }
    const QString v2 = repository.writeCommit(v1, changes, QStringLiteral("ten more"), someone());
    const qint64 secondMs = timer.restart();
    const DatasetGit::ObjectCounts counts = repository.countObjects();
    qInfo("%d images: %lld ms; 10 more: %lld ms; %lld packs, %lld bytes; peak RSS %lld MiB "
          "(%lld MiB before)",
          Images, firstMs, secondMs, counts.packs, counts.packBytes, peakResidentMiB(), peakBefore);
    QCOMPARE(counts.looseObjects, 0);
    QCOMPARE(counts.packs, 2);
    QVERIFY2(firstMs < 20000, "60,000 images should commit in a few seconds");
    QVERIFY(secondMs < 5000);
    QVERIFY(peakResidentMiB() < 500 * testing::SanitizerMemoryFactor);
    // The second pack holds the ten images, the folders on their paths, the root and commit.
    const QList<int> secondPack = newPackSizes(repository.path(), packsOfV1);
    QCOMPARE(secondPack.size(), 1);
    QVERIFY2(secondPack[0] <= 10 + 10 + 1 + 1 + 1, qPrintable(QString::number(secondPack[0])));
    QCOMPARE(repository.listFiles(v2, QStringLiteral("images/")).size(), Images + 10);
    verifyFsckClean(repository.path()); // stored and deflated objects alike
}

QTEST_GUILESS_MAIN(tst_DatasetGit)
#include "tst_datasetgit.moc"
