#include "annotation/annotationservice.h"
#include "annotation/inbox.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/inboxfixture.h"
#include "tests/support/testfiles.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <csignal>

using namespace digitdesk;
using testing::WatchProcess;

namespace {

// ms any one outcome may take on a loaded two-core machine
constexpr int Patience = 30000 * testing::SanitizerTimeFactor;

// A workspace with a production model and an inbox folder that `digitdesk watch --path` takes
// files from at once (they are renamed into place) and rescans every second.
struct InboxWorkspace
{
    InboxWorkspace()
    {
        testing::addProductionModel(temp);
        QDir().mkpath(inbox);
        testing::setSetting(*temp.workspace, annotation::InboxSettleSetting, QStringLiteral("0"));
        testing::setSetting(*temp.workspace, annotation::InboxRescanSetting, QStringLiteral("1"));
    }
    const storage::Workspace &workspace() const { return *temp.workspace; }
    QStringList watchArguments(const QStringList &more = {}) const
    {
        return QStringList{QStringLiteral("--path"), inbox} + more;
    }
    int processed() const { return testing::filesIn(testing::processedToday(inbox)); }
    int waiting() const { return testing::filesIn(inbox); }
    QString failed(const QString &name = {}) const
    {
        return QDir(inbox).filePath(QStringLiteral("failed/") + name);
    }

    testing::TempWorkspace temp;
    QString inbox = temp.dir.filePath(QStringLiteral("inbox"));
};

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// The inbox_status row says `state` (the watcher writes it every second).
bool inboxStateIs(const storage::Workspace &workspace, const char *state)
{
    return annotation::InboxControl(workspace.db())
               .state(annotation::Principal::localOperator())
               .state == QLatin1String(state);
}

} // namespace

class tst_Inbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filesOneByOneAndInABurst();
    void slowWriterIsTakenOnlyWhenComplete();
    void badFilesMoveToFailedWithTheirReason_data();
    void badFilesMoveToFailedWithTheirReason();
    void duplicates();
    void killBetweenImportAndMoveImportsOnceMovesOnce();
    void rescanFindsFileWhoseNotificationWasLost();
    void sigtermStopsCleanly();
    void stopAndStartFromTheGuiOutliveIt();
    void settingsAndUsage();
    void labelCommitsStayFastDuringABurst();
    void serveWatchesTheInboxToo();
};

void tst_Inbox::filesOneByOneAndInABurst()
{
    InboxWorkspace ws;
    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    for (int i = 0; i < 3; ++i) {
        QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("one-%1.png").arg(i),
                                  testing::strokeScan(i)));
        WATCHER_TRY_COMPARE(watch, ws.processed(), i + 1, Patience);
        QCOMPARE(testing::inboxImages(ws.workspace()), i + 1);
        QCOMPARE(testing::predictedInboxImages(ws.workspace()), i + 1);
    }
    constexpr int Burst = 300;
    for (int i = 0; i < Burst; ++i) {
        QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("burst-%1.png").arg(i),
                                  testing::strokeScan(100 + i)));
    }
    WATCHER_TRY_COMPARE(watch, ws.processed(), Burst + 3, 3 * Patience);
    QCOMPARE(ws.waiting(), 0);
    QCOMPARE(testing::inboxImages(ws.workspace()), Burst + 3);
    QCOMPARE(testing::predictedInboxImages(ws.workspace()), Burst + 3);
    QVERIFY(!QFileInfo::exists(ws.failed()));
    // Each is queued for annotators, least confident first, like any import.
    annotation::AnnotationService service(ws.workspace().db());
    const auto annotator =
        testing::addUser(ws.workspace(), QStringLiteral("ann"), annotation::Role::Annotator);
    QVERIFY(service.next(annotator).has_value());
    const annotation::InboxState state =
        annotation::InboxControl(ws.workspace().db()).state(annotation::Principal::localOperator());
    QCOMPARE(state.importedToday, Burst + 3);
    QCOMPARE(state.failedToday, 0);
    QVERIFY(state.running);
}

void tst_Inbox::slowWriterIsTakenOnlyWhenComplete()
{
    InboxWorkspace ws;
    testing::setSetting(ws.workspace(), annotation::InboxSettleSetting, QStringLiteral("1500"));
    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    WATCHER_TRY_VERIFY(watch, inboxStateIs(ws.workspace(), "watching"), Patience);
    // Written in place, a piece every 200 ms: half a PNG taken early would land in failed/.
    const QByteArray scan = testing::strokeScan(7);
    QFile file(QDir(ws.inbox).filePath(QStringLiteral("slow.png")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const qsizetype piece = scan.size() / 8 + 1;
    for (qsizetype at = 0; at < scan.size(); at += piece) {
        QVERIFY(file.write(scan.mid(at, piece)) > 0);
        QVERIFY(file.flush());
        QTest::qWait(200); // the scanner's pace, not a wait for the result
        QCOMPARE(testing::inboxImages(ws.workspace()), 0);
        QVERIFY(QFileInfo::exists(file.fileName()));
    }
    file.close();
    WATCHER_TRY_COMPARE(watch, ws.processed(), 1, Patience);
    QCOMPARE(testing::inboxImages(ws.workspace()), 1);
    QVERIFY(!QFileInfo::exists(ws.failed()));
}

void tst_Inbox::badFilesMoveToFailedWithTheirReason_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const QByteArray png = testing::strokeScan(1);
    QByteArray huge = png;
    // The header claims 100,000 x 100,000 pixels: refused before anything is decoded.
    const char side[] = {0x00, 0x01, char(0x86), char(0xa0)};
    huge.replace(16, 4, side, 4).replace(20, 4, side, 4);
    QTest::newRow("not an image") << "letter.png" << QByteArray("Dear Sir, ...") << "";
    QTest::newRow("truncated") << "cut.png" << png.left(png.size() / 2) << "";
    QTest::newRow("decompression bomb") << "bomb.png" << huge << "pixels";
    QTest::newRow("an IDX file") << "t10k-images-idx3-ubyte" << QByteArray(16, '\0')
                                 << "single scans";
}

void tst_Inbox::badFilesMoveToFailedWithTheirReason()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    InboxWorkspace ws;
    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    QVERIFY(testing::dropFile(ws.inbox, name, bytes));
    WATCHER_TRY_VERIFY(watch, QFileInfo::exists(ws.failed(name + QStringLiteral(".error.txt"))),
                       Patience);
    WATCHER_TRY_VERIFY(watch, QFileInfo::exists(ws.failed(name)), Patience);
    const QString why = readText(ws.failed(name + QStringLiteral(".error.txt")));
    QVERIFY2(why.startsWith(name + QStringLiteral(": ")) && why.size() > name.size() + 4,
             qPrintable(why));
    QVERIFY2(why.contains(reason), qPrintable(why));
    QCOMPARE(testing::inboxImages(ws.workspace()), 0);
    QCOMPARE(ws.waiting(), 0);
    WATCHER_TRY_COMPARE(watch,
                        annotation::InboxControl(ws.workspace().db())
                            .state(annotation::Principal::localOperator())
                            .failedToday,
                        1, Patience);
    // What the Inbox pane shows as the last error: the file and its reason.
    WATCHER_TRY_COMPARE(watch,
                        annotation::InboxControl(ws.workspace().db())
                            .state(annotation::Principal::localOperator())
                            .lastError,
                        why.trimmed(), Patience);
}

void tst_Inbox::duplicates()
{
    InboxWorkspace ws;
    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("a.png"), testing::strokeScan(3)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), 1, Patience);
    // The same file again under another name: already in the queue, only moved.
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("copy-of-a.png"), testing::strokeScan(3)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), 2, Patience);
    // The same name again the same day: kept beside the first, nothing overwritten.
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("a.png"), testing::strokeScan(3)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), 3, Patience);
    QVERIFY(QFileInfo::exists(QDir(testing::processedToday(ws.inbox)).filePath("a-1.png")));
    // The same scan saved as BMP: other bytes, the same image once normalised.
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("a.bmp"), testing::strokeScan(3, ".bmp")));
    WATCHER_TRY_VERIFY(watch, QFileInfo::exists(ws.failed(QStringLiteral("a.bmp.error.txt"))),
                       Patience);
    QVERIFY(readText(ws.failed(QStringLiteral("a.bmp.error.txt"))).contains("duplicate"));
    QCOMPARE(testing::inboxImages(ws.workspace()), 1);
    QCOMPARE(testing::countOf(ws.workspace(),
                              QStringLiteral("SELECT COUNT(*) FROM inbox_files WHERE outcome ="
                                             " 'already_imported'")),
             1);
}

void tst_Inbox::killBetweenImportAndMoveImportsOnceMovesOnce()
{
    InboxWorkspace ws;
    constexpr int Files = 600;
    for (int i = 0; i < Files; ++i) {
        QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("k-%1.png").arg(i),
                                  testing::strokeScan(1000 + i)));
    }
    // Killed at a moment when more images are stored than files moved: between import and move.
    bool caught = false;
    for (int attempt = 0; attempt < 5 && !caught; ++attempt) {
        WatchProcess watch(ws.temp.folder(),
                           ws.watchArguments({QStringLiteral("--batch"), QStringLiteral("32")}));
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < Patience && ws.waiting() > 0) {
            const qint64 imported = testing::inboxImages(ws.workspace());
            if (imported > ws.processed()) {
                watch.signal(SIGKILL);
                caught = imported > ws.processed();
                break;
            }
            QTest::qWait(1);
        }
        QVERIFY(watch.process().waitForFinished(Patience));
    }
    QVERIFY2(caught, "never saw the watcher between an import and its move");
    QVERIFY(ws.waiting() > 0);
    WatchProcess restarted(ws.temp.folder(), ws.watchArguments());
    WATCHER_TRY_COMPARE(restarted, ws.processed(), Files, 3 * Patience);
    QCOMPARE(ws.waiting(), 0);
    QCOMPARE(testing::inboxImages(ws.workspace()), Files);
    QCOMPARE(testing::predictedInboxImages(ws.workspace()), Files);
    QVERIFY(!QFileInfo::exists(ws.failed()));
    QCOMPARE(testing::countOf(ws.workspace(),
                              QStringLiteral("SELECT COUNT(DISTINCT sha256) FROM inbox_files WHERE"
                                             " outcome = 'imported'")),
             Files);
    QCOMPARE(testing::countOf(ws.workspace(), QStringLiteral("SELECT COUNT(*) FROM inbox_files")),
             Files);
}

void tst_Inbox::rescanFindsFileWhoseNotificationWasLost()
{
    InboxWorkspace ws;
    // As on a network filesystem that never tells: only the rescan (every second) can see it.
    WatchProcess watch(ws.temp.folder(), ws.watchArguments({QStringLiteral("--poll-only")}));
    WATCHER_TRY_VERIFY(watch, inboxStateIs(ws.workspace(), "watching"), Patience);
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("quiet.png"), testing::strokeScan(5)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), 1, Patience);
    QCOMPARE(testing::predictedInboxImages(ws.workspace()), 1);
}

void tst_Inbox::sigtermStopsCleanly()
{
    InboxWorkspace ws;
    constexpr int Files = 300;
    for (int i = 0; i < Files; ++i) {
        QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("t-%1.png").arg(i),
                                  testing::strokeScan(5000 + i)));
    }
    WatchProcess watch(ws.temp.folder(),
                       ws.watchArguments({QStringLiteral("--batch"), QStringLiteral("16")}));
    WATCHER_TRY_VERIFY(watch, ws.processed() > 0, Patience);
    watch.signal(SIGTERM);
    QVERIFY(watch.process().waitForFinished(Patience));
    QCOMPARE(watch.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(watch.process().exitCode(), 0);
    QVERIFY2(watch.log().contains(QStringLiteral("SIGTERM")), qPrintable(watch.log()));
    // The batch in hand was finished: every stored image's file was moved, the rest wait.
    QCOMPARE(testing::inboxImages(ws.workspace()), ws.processed());
    QCOMPARE(ws.processed() + ws.waiting(), Files);
    QVERIFY(inboxStateIs(ws.workspace(), "stopped"));
    QVERIFY(!QFileInfo::exists(QDir(ws.inbox).filePath(QStringLiteral(".digitdesk-inbox.lock"))));
}

void tst_Inbox::stopAndStartFromTheGuiOutliveIt()
{
    InboxWorkspace ws;
    const auto annotator =
        testing::addUser(ws.workspace(), QStringLiteral("ann"), annotation::Role::Annotator);
    const auto engineer =
        testing::addUser(ws.workspace(), QStringLiteral("eve"), annotation::Role::MlEngineer);
    const annotation::InboxControl control(ws.workspace().db());
    QVERIFY(testing::throws<annotation::PermissionDenied>([&] { control.state(annotator); }));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { control.setEnabled(annotator, false); }));

    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    WATCHER_TRY_VERIFY(watch, control.state(engineer).state == QStringLiteral("watching"),
                       Patience);
    control.setEnabled(engineer, false);
    WATCHER_TRY_VERIFY(watch, control.state(engineer).state == QStringLiteral("paused"), Patience);
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("held.png"), testing::strokeScan(9)));
    WATCHER_TRY_COMPARE(watch, control.state(engineer).waiting, 0, Patience);
    QCOMPARE(ws.waiting(), 1); // paused: not taken
    control.setEnabled(engineer, true);
    WATCHER_TRY_COMPARE(watch, ws.processed(), 1, Patience);
    QCOMPARE(testing::countOf(ws.workspace(),
                              QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action ="
                                             " 'control_inbox' AND outcome = 'ok'")),
             2);
}

void tst_Inbox::settingsAndUsage()
{
    InboxWorkspace ws;
    const QString folder = ws.temp.folder();
    testing::CliRun run = testing::runDigitdeskOn(folder, "watch");
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("inbox.path")), qPrintable(run.err));
    run = testing::runDigitdeskOn(folder, "watch --batch 0");
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("--batch")), qPrintable(run.err));
    run = testing::runDigitdeskOn(folder, "settings set inbox.path", {ws.inbox});
    QCOMPARE(run.exitCode, 0);
    run = testing::runDigitdeskOn(folder, "settings set inbox.settle-ms -5");
    QCOMPARE(run.exitCode, 1);
    run = testing::runDigitdeskOn(folder, "settings list");
    QVERIFY2(run.out.contains(QStringLiteral("inbox.path = ") + ws.inbox), qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("inbox.enabled = 1")));

    // With inbox.path set, `watch` needs no --path.
    WatchProcess watch(folder);
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("s.png"), testing::strokeScan(11)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), 1, Patience);
    // A second watcher on the same folder waits for the first one's lock.
    WatchProcess second(folder);
    QTRY_VERIFY_WITH_TIMEOUT(second.log().contains(QStringLiteral("another process")), Patience);
}

void tst_Inbox::labelCommitsStayFastDuringABurst()
{
    // 2,000 files keep ctest's run short; inbox_bench takes 10,000 (README has its figures).
    constexpr int Burst = 2000;
    InboxWorkspace ws;
    testing::addPredictedImages(ws.workspace(), std::vector<double>(600, 0.5));
    const auto annotator =
        testing::addUser(ws.workspace(), QStringLiteral("ann"), annotation::Role::Annotator);
    for (int i = 0; i < Burst; ++i) {
        QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("b-%1.png").arg(i),
                                  testing::strokeScan(20000 + i)));
    }
    WatchProcess watch(ws.temp.folder(), ws.watchArguments());
    WATCHER_TRY_VERIFY(watch, testing::inboxImages(ws.workspace()) > 0, Patience);
    const std::vector<double> latencies =
        testing::labelCommitsWhile(ws.workspace(), annotator, [&ws] { return ws.waiting() > 100; });
    const double p99 = testing::quantile(latencies, 0.99);
    qInfo("%zu label commits during the burst: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
          latencies.size(), testing::quantile(latencies, 0.5), p99,
          testing::quantile(latencies, 1));
    QVERIFY2(latencies.size() >= 100, "the burst ended before 100 labels were committed");
    QVERIFY2(p99 < 100, qPrintable(QStringLiteral("p99 %1 ms").arg(p99)));
    WATCHER_TRY_COMPARE(watch, ws.processed(), Burst, 6 * Patience);
    QCOMPARE(testing::inboxImages(ws.workspace()), Burst);
    // Queued at its import's commit: one labelled before its prediction was stored keeps none.
    QCOMPARE(testing::predictedInboxImages(ws.workspace()) +
                 testing::countOf(ws.workspace(),
                                  QStringLiteral("SELECT COUNT(*) FROM images i WHERE source ="
                                                 " 'inbox' AND NOT EXISTS (SELECT 1 FROM"
                                                 " predictions p WHERE p.image_id = i.id) AND"
                                                 " EXISTS (SELECT 1 FROM labels l WHERE"
                                                 " l.image_id = i.id)")),
             Burst);
}

void tst_Inbox::serveWatchesTheInboxToo()
{
    InboxWorkspace ws;
    testing::setSetting(ws.workspace(), annotation::InboxPathSetting, ws.inbox);
    QProcess serve;
    serve.start(QStringLiteral(DIGITDESK_BINARY),
                {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--watch-inbox"), QStringLiteral("--retrain-poll-s"),
                 QStringLiteral("0"), QStringLiteral("--workspace"), ws.temp.folder()});
    QVERIFY(serve.waitForStarted());
    const auto guard = qScopeGuard([&serve] {
        serve.kill();
        serve.waitForFinished();
    });
    QVERIFY(testing::dropFile(ws.inbox, QStringLiteral("served.png"), testing::strokeScan(77)));
    QTRY_COMPARE_WITH_TIMEOUT(ws.processed(), 1, 2 * Patience);
    QCOMPARE(testing::predictedInboxImages(ws.workspace()), 1);
    ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
    QVERIFY(serve.waitForFinished(Patience));
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(inboxStateIs(ws.workspace(), "stopped"));
}

QTEST_GUILESS_MAIN(tst_Inbox)
#include "tst_inbox.moc"
