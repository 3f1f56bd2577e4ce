#include "tests/support/datasetgitfixture.h"

using namespace digitdesk;
using namespace digitdesk::testing::gitfixture;
using storage::DatasetGit;
using storage::TreeChange;
using storage::TreeDifference;

// Writing dataset.git: one pack of new objects per version, refused and undone publishes,
// damage found, push and fetch, the system git reading it, and a large commit's time and size.
class tst_DatasetGitWrite : public DatasetGitFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { publishTwoVersions(); }
    void packsOnlyNewObjects_data();
    void packsOnlyNewObjects();
    void publishRefuses_data();
    void publishRefuses();
    void unpublishRestoresPreviousState();
    void checkObjectsFindsDamage_data();
    void checkObjectsFindsDamage();
    void pushesAndFetches();
    void systemGitReadsIt();
    void largeCommitIsFastAndSmall();
};

void tst_DatasetGitWrite::packsOnlyNewObjects_data()
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

void tst_DatasetGitWrite::packsOnlyNewObjects()
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

void tst_DatasetGitWrite::publishRefuses_data()
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

void tst_DatasetGitWrite::publishRefuses()
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

void tst_DatasetGitWrite::unpublishRestoresPreviousState()
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

void tst_DatasetGitWrite::checkObjectsFindsDamage_data()
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

void tst_DatasetGitWrite::checkObjectsFindsDamage()
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

void tst_DatasetGitWrite::pushesAndFetches()
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

void tst_DatasetGitWrite::systemGitReadsIt()
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

void tst_DatasetGitWrite::largeCommitIsFastAndSmall()
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
    QVERIFY2(firstMs < 20000 * testing::SanitizerTimeFactor,
             "60,000 images should commit in a few seconds");
    QVERIFY(secondMs < 5000 * testing::SanitizerTimeFactor);
    QVERIFY(peakResidentMiB() < 500 * testing::SanitizerMemoryFactor);
    // The second pack holds the ten images, the folders on their paths, the root and commit.
    const QList<int> secondPack = newPackSizes(repository.path(), packsOfV1);
    QCOMPARE(secondPack.size(), 1);
    QVERIFY2(secondPack[0] <= 10 + 10 + 1 + 1 + 1, qPrintable(QString::number(secondPack[0])));
    QCOMPARE(repository.listFiles(v2, QStringLiteral("images/")).size(), Images + 10);
    verifyFsckClean(repository.path()); // stored and deflated objects alike
}

QTEST_GUILESS_MAIN(tst_DatasetGitWrite)
#include "tst_datasetgitwrite.moc"
