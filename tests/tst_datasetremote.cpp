#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/tempworkspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <optional>

using namespace digitdesk;
using namespace digitdesk::testing;

namespace {

// One desktop of the postal service: its own workspace, people and dataset history.
struct Desk
{
    TempWorkspace temp;
    People people = addPeople(*temp.workspace);
    int nextSeed = 0;

    explicit Desk(int firstSeed) : nextSeed(firstSeed) {}

    QString folder() const { return temp.folder(); }
    QString gitDir() const { return temp.workspace->datasetRepositoryPath(); }
    CliRun run(const char *command, const QStringList &more = {}) const
    {
        return runDigitdeskOn(folder(), command, more);
    }

    // `labels` approved here, then `digitdesk dataset commit`; returns the new commit id.
    QString commit(const std::vector<int> &labels, const QString &message)
    {
        labelAndApprove(*temp.workspace, nextSeed, labels, people.annotator, people.reviewer);
        nextSeed += static_cast<int>(labels.size());
        const CliRun done = run("dataset commit -m", {message});
        const QRegularExpressionMatch match =
            QRegularExpression(QStringLiteral("Committed v\\d+ \\(commit ([0-9a-f]{40})\\)"))
                .match(done.out);
        if (done.exitCode != 0 || !match.hasMatch()) {
            qWarning() << done.out << done.err;
            return {};
        }
        return match.captured(1);
    }

    std::optional<storage::DatasetVersionRecord> row(const QString &tag) const
    {
        return storage::DatasetVersionRepository(temp.workspace->db()).find(tag);
    }

    // Every version row as "tag commit image-count origin", for comparing before and after.
    QStringList rows() const
    {
        QStringList rows;
        for (const auto &v : storage::DatasetVersionRepository(temp.workspace->db()).list()) {
            rows << QStringLiteral("%1 %2 %3 %4")
                        .arg(v.tag, v.commitId)
                        .arg(v.imageCount)
                        .arg(v.origin);
        }
        rows.sort();
        return rows;
    }

    // Every reference of dataset.git with the object it names (main, tags, remote ones).
    QString refs() const
    {
        return gitOn(gitDir(), "for-each-ref --format=%(refname)=%(objectname)");
    }
};

QString errorText(const CliRun &run)
{
    return run.out + run.err;
}

} // namespace

// Several desktops sharing dataset versions through one bare remote, driven through the
// `digitdesk` binary: a push that would lose the remote's versions is refused and changes
// nothing, a pull brings them in beside the workspace's own, and every version stays on the
// remote under a name of its own, checked out by the system git.
class tst_DatasetRemote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void twoDesktopsShareOneRemote();
    void missingRemoteIsNamed_data();
    void missingRemoteIsNamed();
};

void tst_DatasetRemote::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
}

void tst_DatasetRemote::twoDesktopsShareOneRemote()
{
    QTemporaryDir dir;
    const QString remote = dir.filePath(QStringLiteral("remote.git"));
    QCOMPARE(runGit(words("init --quiet --bare --initial-branch=main") << remote), QString());
    Desk a(0);
    Desk b(500);
    const QString a1 = a.commit({0, 1, 2, 3}, QStringLiteral("first four at A"));
    const QString b1 = b.commit({5, 6, -1}, QStringLiteral("three at B"));
    QVERIFY(!a1.isEmpty() && !b1.isEmpty());

    // 1. A publishes; B, with a history of its own, is refused and nothing moves anywhere.
    CliRun run = a.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("\n  v1\n")),
             qPrintable(errorText(run)));
    QCOMPARE(gitOn(remote, "rev-parse main v1^{commit}"), a1 + u'\n' + a1 + u'\n');
    const QString remoteBefore = gitOn(remote, "for-each-ref --format=%(refname)=%(objectname)");
    const QString bRefs = b.refs();
    const QStringList bRows = b.rows();
    run = b.run("dataset push --tags", {remote});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("has dataset versions this workspace lacks")) &&
                 run.err.contains(QStringLiteral("pull first")) &&
                 run.err.contains(QStringLiteral("`digitdesk dataset pull %1`").arg(remote)),
             qPrintable(run.err));
    QCOMPARE(gitOn(remote, "for-each-ref --format=%(refname)=%(objectname)"), remoteBefore);
    QCOMPARE(b.refs(), bRefs);
    QCOMPARE(b.rows(), bRows);

    // 2. B pulls: A's version beside its own, which is untouched; main stays B's own history.
    run = b.run("dataset pull", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("origin/v1")),
             qPrintable(errorText(run)));
    QCOMPARE(b.row(QStringLiteral("origin/v1")).value().commitId, a1);
    QCOMPARE(b.row(QStringLiteral("origin/v1")).value().origin, QStringLiteral("origin"));
    QCOMPARE(b.row(QStringLiteral("v1")).value().commitId, b1);
    QCOMPARE(b.row(QStringLiteral("v1")).value().imageCount, 3);
    QCOMPARE(gitOn(b.gitDir(), "rev-parse main"), b1 + u'\n');
    run = b.run("dataset log");
    QVERIFY2(
        run.out.contains(QRegularExpression(QStringLiteral("(^|\n)v1 .* 3 images"))) &&
            run.out.contains(QRegularExpression(QStringLiteral("(^|\n)origin/v1 .* 4 images"))),
        qPrintable(errorText(run)));
    run = b.run("dataset show origin/v1");
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("origin +origin\n"))),
             qPrintable(errorText(run)));
    // The join: both histories as parents, B's snapshot as the tree.
    const QString joined = storage::DatasetGit(b.gitDir()).shared();
    QCOMPARE(gitOn(b.gitDir(), "rev-parse",
                   {joined + QStringLiteral("^1"), joined + QStringLiteral("^2")}),
             b1 + u'\n' + a1 + u'\n');
    QCOMPARE(gitOn(b.gitDir(), "rev-parse", {joined + QStringLiteral("^{tree}")}),
             gitOn(b.gitDir(), "rev-parse", {b1 + QStringLiteral("^{tree}")}));

    // Pulling twice changes nothing.
    const QStringList afterPull = b.rows();
    const QString refsAfterPull = b.refs();
    run = b.run("dataset pull", {remote});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(b.rows(), afterPull);
    QCOMPARE(b.refs(), refsAfterPull);

    // 3. B's push is accepted; its v1 takes a name of its own, A's v1 stays A's.
    const QString b1Remote = QStringLiteral("v1-") + b1.left(8);
    run = b.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("v1 as %1").arg(b1Remote)),
             qPrintable(errorText(run)));
    QCOMPARE(gitOn(remote, "rev-parse",
                   {QStringLiteral("main"), QStringLiteral("v1^{commit}"),
                    b1Remote + QStringLiteral("^{commit}")}),
             joined + u'\n' + a1 + u'\n' + b1 + u'\n');
    // Pushing again when nothing changed sends nothing.
    const QString remoteAfterPush = gitOn(remote, "for-each-ref --format=%(refname)=%(objectname)");
    run = b.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("Nothing to push")),
             qPrintable(errorText(run)));
    QCOMPARE(gitOn(remote, "for-each-ref --format=%(refname)=%(objectname)"), remoteAfterPush);

    // A pulls B's version, commits again and pushes without being refused.
    run = a.run("dataset pull", {remote});
    QVERIFY2(run.exitCode == 0, qPrintable(errorText(run)));
    QCOMPARE(a.row(QStringLiteral("origin/") + b1Remote).value().commitId, b1);
    QCOMPARE(a.row(QStringLiteral("origin/") + b1Remote).value().number, 1);
    QCOMPARE(a.row(QStringLiteral("v1")).value().commitId, a1);
    const QString a2 = a.commit({7, 8}, QStringLiteral("two more at A"));
    run = a.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("\n  v2\n")),
             qPrintable(errorText(run)));

    // B committed meanwhile: refused again until it pulls, then its v2 goes out beside A's v2,
    // with no second pull: the join is extended by the version committed since.
    const QString b2 = b.commit({9}, QStringLiteral("one more at B"));
    run = b.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 2 && run.err.contains(QStringLiteral("pull first")),
             qPrintable(errorText(run)));
    QVERIFY(b.run("dataset pull", {remote}).exitCode == 0);
    QCOMPARE(b.row(QStringLiteral("origin/v2")).value().commitId, a2);
    QCOMPARE(b.row(QStringLiteral("v2")).value().commitId, b2);
    QCOMPARE(b.row(QStringLiteral("v2")).value().parentTag, QStringLiteral("v1"));
    const QString b2Remote = QStringLiteral("v2-") + b2.left(8);
    run = b.run("dataset push --tags", {remote});
    QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("v2 as %1").arg(b2Remote)),
             qPrintable(errorText(run)));
    QCOMPARE(
        gitOn(remote, "tag"),
        QStringList({QStringLiteral("v1"), b1Remote, QStringLiteral("v2"), b2Remote}).join(u'\n') +
            u'\n');
    for (const QString &commit : {a1, b1, a2, b2}) {
        QVERIFY2(!gitOn(remote, "merge-base --is-ancestor", {commit, QStringLiteral("main")})
                      .startsWith(QStringLiteral("FAILED")),
                 qPrintable(commit));
    }

    // A sees every version of B, each with its parent as the remote names it.
    QVERIFY(a.run("dataset pull", {remote}).exitCode == 0);
    QCOMPARE(a.row(QStringLiteral("origin/") + b2Remote).value().commitId, b2);
    QCOMPARE(a.row(QStringLiteral("origin/") + b2Remote).value().parentTag,
             QStringLiteral("origin/") + b1Remote);
    QCOMPARE(a.row(QStringLiteral("v2")).value().commitId, a2);
    QCOMPARE(gitOn(a.gitDir(), "rev-parse main"), a2 + u'\n');

    // Plain git throughout: fsck finds nothing, and every version checks out from the remote.
    for (const QString &gitDir : {remote, a.gitDir(), b.gitDir()}) {
        QVERIFY2(fsckProblems(gitDir).isEmpty(), qPrintable(fsckProblems(gitDir)));
    }
    const QString clone = dir.filePath(QStringLiteral("clone"));
    QCOMPARE(runGit({QStringLiteral("clone"), QStringLiteral("--quiet"), remote, clone}),
             QString());
    const std::map<QString, int> images = {
        {QStringLiteral("v1"), 4}, {b1Remote, 3}, {QStringLiteral("v2"), 6}, {b2Remote, 4}};
    for (const auto &[tag, count] : images) {
        QCOMPARE(runGit({QStringLiteral("-C"), clone, QStringLiteral("checkout"),
                         QStringLiteral("--quiet"), tag}),
                 QString());
        QFile labels(QDir(clone).filePath(QStringLiteral("labels.csv")));
        QVERIFY(labels.open(QIODevice::ReadOnly));
        QCOMPARE(labels.readAll().count('\n'), count + 1); // the header, then one row per image
        QCOMPARE(QDir(clone + QStringLiteral("/images")).isEmpty(), false);
    }
}

void tst_DatasetRemote::missingRemoteIsNamed_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<bool>("fileUrl");
    QTest::newRow("push to a path") << QStringLiteral("push") << false;
    QTest::newRow("push to a file:// URL") << QStringLiteral("push") << true;
    QTest::newRow("pull from a path") << QStringLiteral("pull") << false;
}

void tst_DatasetRemote::missingRemoteIsNamed()
{
    QFETCH(QString, command);
    QFETCH(bool, fileUrl);
    Desk desk(0);
    QVERIFY(!desk.commit({1, 2}, QStringLiteral("two")).isEmpty());
    const QString path = desk.temp.dir.filePath(QStringLiteral("nowhere/remote.git"));
    const QString remote = fileUrl ? QStringLiteral("file://") + path : path;
    const CliRun run =
        desk.run(command == u"push" ? "dataset push --tags" : "dataset pull", {remote});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("there is no repository at %1").arg(path)),
             qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(desk.row(QStringLiteral("v1")).value().imageCount, 2);
}

QTEST_GUILESS_MAIN(tst_DatasetRemote)
#include "tst_datasetremote.moc"
