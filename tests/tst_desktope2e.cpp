#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/datasetservice.h"
#include "storage/imagerepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/screenimages.h"
#include "tests/support/testdata.h"
#include "tests/support/xdesktop.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace digitdesk;

namespace {

const QString Password = QStringLiteral("correct horse");
const QString LoginTitle = QStringLiteral("^DigitDesk: log in$");
const QString MainTitle = QStringLiteral("^DigitDesk — ");
const QString LockTitle = QStringLiteral("^DigitDesk: locked$");
constexpr int StripLength = 8;

QVariant value(const QSqlDatabase &db, const QString &sql, const QVariantMap &bindings = {})
{
    storage::SqlQuery query(db, sql, QStringLiteral("e2e check"));
    for (auto it = bindings.cbegin(); it != bindings.cend(); ++it) {
        query.bind(it.key(), it.value());
    }
    query.exec();
    return query.next() ? query.value(0) : QVariant();
}

qint64 count(const QSqlDatabase &db, const QString &sql, const QVariantMap &bindings = {})
{
    return value(db, sql, bindings).toLongLong();
}

// A screenshot once the screen has stopped changing (two in a row alike).
QImage settledScreenshot(const testing::XDesktop &x)
{
    QImage last = x.screenshot();
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        QTest::qWait(150);
        QImage next = x.screenshot();
        if (next == last) {
            return next;
        }
        last = std::move(next);
    }
    return last;
}

// The image shown large (the one to label), read off the screen: drawn at some whole
// multiple of 28 pixels, larger than the strip's.
qint64 imageShownLarge(const QImage &screen, const QHash<qint64, QByteArray> &images)
{
    for (int factor = 24; factor >= 3; --factor) {
        const auto found = testing::findImagesOnScreen(screen, images, factor);
        if (!found.empty()) {
            return found.front().imageId;
        }
    }
    return 0;
}

} // namespace

// The real binary on a real X server (Xvfb), driven with xdotool as a person would: keys typed
// into the focused window, what is on screen read back from screenshots. Each test says what
// it drove and checks what the database holds afterwards.
class tst_DesktopE2E : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void loginAndLogoutForEachRole_data();
    void loginAndLogoutForEachRole();
    void readingTheStripAheadLabelsTheImagesItShows();
    void idleLockUnlockAndLogOut();
    void reviewWithTheAnnotatorsOwnDigitAndAMarkupComment();
    void keyRemappingConflictIsRefused();
    void importReachesTheOpenAnnotateView();
    void trainOnAVersionFromTheDatasetsView();

private:
    void startApp();
    // Logs in through the login dialog; returns the main window's id.
    qulonglong logIn(const QString &name, bool nameFilledIn = false);
    // Waits for the application to exit by itself; true when it exited cleanly with 0.
    bool waitForExit(int timeoutMs = 20000);
    QSqlDatabase db() const { return m_temp->workspace->db(); }

    std::unique_ptr<testing::XDesktop> m_x;
    std::unique_ptr<testing::TempWorkspace> m_temp;
    std::unique_ptr<QProcess> m_app;
};

void tst_DesktopE2E::initTestCase()
{
    m_x = std::make_unique<testing::XDesktop>();
    QVERIFY2(m_x->startError().isEmpty(), qPrintable(m_x->startError()));
}

void tst_DesktopE2E::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    testing::addUser(*m_temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    testing::addUser(*m_temp->workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    testing::addUser(*m_temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    testing::addUser(*m_temp->workspace, QStringLiteral("ada"), annotation::Role::Admin);
}

void tst_DesktopE2E::cleanup()
{
    if (m_app && m_app->state() != QProcess::NotRunning) {
        m_app->kill();
        m_app->waitForFinished(5000);
    }
    if (m_app && QTest::currentTestFailed()) {
        qWarning("application output:\n%s", m_app->readAll().constData());
    }
    m_app.reset();
    m_temp.reset();
}

void tst_DesktopE2E::startApp()
{
    m_app = std::make_unique<QProcess>();
    m_app->setProcessEnvironment(m_x->environment());
    m_app->setProcessChannelMode(QProcess::MergedChannels);
    m_app->start(QStringLiteral(DIGITDESK_BINARY),
                 {QStringLiteral("--workspace"), m_temp->workspace->root()});
    QVERIFY2(m_app->waitForStarted(10000), "digitdesk did not start");
}

qulonglong tst_DesktopE2E::logIn(const QString &name, bool nameFilledIn)
{
    const qulonglong dialog = m_x->waitForWindow(LoginTitle);
    if (dialog == 0 || !m_x->focus(dialog)) {
        return 0;
    }
    if (!nameFilledIn) {
        m_x->type(name);
        m_x->keys({QStringLiteral("Tab")});
    }
    m_x->type(Password);
    m_x->keys({QStringLiteral("Return")});
    const qulonglong window = m_x->waitForWindow(MainTitle);
    if (window != 0) {
        settledScreenshot(*m_x); // the first view has what it shows
        m_x->focus(window);
    }
    return window;
}

bool tst_DesktopE2E::waitForExit(int timeoutMs)
{
    const bool ended = m_app->waitForFinished(timeoutMs);
    const bool clean =
        ended && m_app->exitStatus() == QProcess::NormalExit && m_app->exitCode() == 0;
    if (!clean) {
        qWarning("digitdesk %s; its output:\n%s",
                 ended ? qPrintable(QStringLiteral("exited with %1").arg(m_app->exitCode()))
                       : "is still running",
                 m_app->readAll().constData());
    }
    return clean;
}

void tst_DesktopE2E::loginAndLogoutForEachRole_data()
{
    QTest::addColumn<QString>("user");
    QTest::newRow("annotator") << QStringLiteral("ana");
    QTest::newRow("reviewer") << QStringLiteral("rui");
    QTest::newRow("ml_engineer") << QStringLiteral("eve");
    QTest::newRow("admin") << QStringLiteral("ada");
}

void tst_DesktopE2E::loginAndLogoutForEachRole()
{
    QFETCH(QString, user);
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.5, 0.7});
    startApp();
    QVERIFY(logIn(user) != 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        count(db(),
              QStringLiteral("SELECT COUNT(*) FROM login_sessions s JOIN users u ON"
                             " u.id = s.user_id WHERE u.name = :name AND"
                             " s.ended_at IS NULL"),
              {{QStringLiteral(":name"), user}}),
        1, 15000);
    // File > Log out, from the keyboard; the login comes back with the name filled in.
    QVERIFY(m_x->keys({QStringLiteral("alt+f"), QStringLiteral("l")}));
    const qulonglong login = m_x->waitForWindow(LoginTitle);
    QVERIFY(login != 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(),
              QStringLiteral("SELECT s.end_reason FROM login_sessions s JOIN users u"
                             " ON u.id = s.user_id WHERE u.name = :name"),
              {{QStringLiteral(":name"), user}})
            .toString(),
        QStringLiteral("logout"), 15000);
    QCOMPARE(count(db(), QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
    // Escape on the login screen leaves the application.
    QVERIFY(m_x->focus(login));
    QVERIFY(m_x->keys({QStringLiteral("Escape")}));
    QVERIFY2(waitForExit(), "the application did not exit cleanly after the login was cancelled");
    QCOMPARE(
        count(db(), QStringLiteral("SELECT COUNT(*) FROM login_sessions WHERE ended_at IS NULL")),
        0);
}

void tst_DesktopE2E::readingTheStripAheadLabelsTheImagesItShows()
{
    std::vector<double> confidences;
    for (int i = 0; i < 60; ++i) {
        confidences.push_back(0.3 + 0.01 * ((i * 37) % 60)); // queue order differs from ids
    }
    testing::addPredictedImages(*m_temp->workspace, confidences);
    // Every 4th decision audits one of the model's most confident answers: those used to be
    // left out of the strip, so an annotator typing what it showed misplaced labels.
    storage::SettingsRepository(db()).setValue(QStringLiteral("queue.high_confidence_share"),
                                               QStringLiteral("0.25"));
    QHash<qint64, QByteArray> incoming;
    {
        storage::SqlQuery query(db(), QStringLiteral("SELECT id, pixels FROM images"),
                                QStringLiteral("read the images"));
        query.exec();
        while (query.next()) {
            incoming.insert(query.value(0).toLongLong(), query.value(1).toByteArray());
        }
    }
    QCOMPARE(incoming.size(), 60);
    startApp();
    QVERIFY(logIn(QStringLiteral("ana")) != 0);

    const qint64 anaId =
        value(db(), QStringLiteral("SELECT id FROM users WHERE name = 'ana'")).toLongLong();
    QList<qint64> typed;
    while (typed.size() < 20) {
        // What the annotator sees, read off the screen: the image to label, shown large, and
        // the eight of the strip.
        const QImage screen = settledScreenshot(*m_x);
        const std::vector<testing::ImageOnScreen> strip =
            testing::findImagesOnScreen(screen, incoming, 2);
        QCOMPARE(static_cast<int>(strip.size()), StripLength);
        QList<qint64> shown;
        for (const testing::ImageOnScreen &tile : strip) {
            QCOMPARE(tile.topLeft.y(), strip.front().topLeft.y()); // one row, left to right
            shown << tile.imageId;
        }
        QHash<qint64, QByteArray> notLabelled;
        for (auto it = incoming.cbegin(); it != incoming.cend(); ++it) {
            if (!typed.contains(it.key()) && !shown.contains(it.key())) {
                notLabelled.insert(it.key(), it.value());
            }
        }
        const QList<qint64> current{imageShownLarge(screen, notLabelled)};
        QVERIFY(current.front() != 0);
        QList<qint64> sequence = current + shown;
        sequence = sequence.mid(0, 20 - typed.size());
        QString digits;
        for (qint64 image : sequence) {
            digits += QString::number(image % 10);
        }
        // Typed in one go, as fast as xdotool types, without waiting for the screen.
        QVERIFY(m_x->type(digits));
        typed += sequence;
        QTRY_COMPARE_WITH_TIMEOUT(
            count(db(), QStringLiteral("SELECT COUNT(*) FROM labels WHERE annotator_id = :user"),
                  {{QStringLiteral(":user"), anaId}}),
            static_cast<qint64>(typed.size()), 20000);
    }
    for (qint64 image : typed) {
        QCOMPARE(value(db(),
                       QStringLiteral("SELECT label FROM labels WHERE image_id = :image AND"
                                      " annotator_id = :user"),
                       {{QStringLiteral(":image"), image}, {QStringLiteral(":user"), anaId}})
                     .toLongLong(),
                 image % 10);
    }
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
    QCOMPARE(value(db(),
                   QStringLiteral("SELECT end_reason FROM login_sessions WHERE user_id = :user"),
                   {{QStringLiteral(":user"), anaId}})
                 .toString(),
             QStringLiteral("quit"));
    QCOMPARE(count(db(), QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
}

void tst_DesktopE2E::idleLockUnlockAndLogOut()
{
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4, 0.5, 0.6, 0.7});
    storage::SettingsRepository(db()).setValue(
        QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting), QStringLiteral("5"));
    startApp();
    const qulonglong window = logIn(QStringLiteral("ana"));
    QVERIFY(window != 0);
    const qint64 sessionId =
        value(db(), QStringLiteral("SELECT MAX(id) FROM login_sessions")).toLongLong();

    // Away from the keyboard: the screen locks. The right password, typed a few seconds after
    // the lock, resumes the same session (it used to be closed at the first keystroke).
    qulonglong lock = m_x->waitForWindow(LockTitle, 20000);
    QVERIFY(lock != 0);
    QTest::qWait(1500);
    QVERIFY(m_x->focus(lock));
    QVERIFY(m_x->type(Password));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_VERIFY_WITH_TIMEOUT(!m_x->hasWindow(LockTitle), 10000);
    QVERIFY(value(db(), QStringLiteral("SELECT ended_at FROM login_sessions WHERE id = :id"),
                  {{QStringLiteral(":id"), sessionId}})
                .isNull());
    QCOMPARE(count(db(), QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'unlock' AND"
                                        " outcome = 'ok'")),
             1);
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->type(QStringLiteral("4")));
    QTRY_COMPARE_WITH_TIMEOUT(
        count(db(), QStringLiteral("SELECT COUNT(*) FROM labels WHERE session_id = :id"),
              {{QStringLiteral(":id"), sessionId}}),
        1, 15000);

    // Locked again; Esc leaves it locked. "Log out" (Alt+L) used to abort the process with
    // free(): invalid pointer.
    lock = m_x->waitForWindow(LockTitle, 20000);
    QVERIFY(lock != 0);
    QVERIFY(m_x->focus(lock));
    QVERIFY(m_x->keys({QStringLiteral("Escape")}));
    QTest::qWait(500);
    QVERIFY(m_x->hasWindow(LockTitle));
    QVERIFY(m_x->keys({QStringLiteral("alt+l")}));
    const qulonglong login = m_x->waitForWindow(LoginTitle);
    QVERIFY(login != 0);
    QCOMPARE(m_app->state(), QProcess::Running);
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(), QStringLiteral("SELECT end_reason FROM login_sessions WHERE id = :id"),
              {{QStringLiteral(":id"), sessionId}})
            .toString(),
        QStringLiteral("logout"), 15000);
    QCOMPARE(count(db(), QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
    QVERIFY(m_x->focus(login));
    QVERIFY(m_x->keys({QStringLiteral("Escape")}));
    QVERIFY2(waitForExit(), "the application did not exit cleanly");
}

void tst_DesktopE2E::reviewWithTheAnnotatorsOwnDigitAndAMarkupComment()
{
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4});
    const annotation::Principal ana =
        annotation::AuthService(db())
            .login(QStringLiteral("ana"), Password, QStringLiteral("e2e"))
            .principal;
    annotation::AnnotationService queue(db());
    const auto first = queue.next(ana);
    queue.label(ana, first->imageId, 7, 500);
    const auto second = queue.next(ana);
    queue.label(ana, second->imageId, 3, 500);

    startApp();
    const qulonglong window = logIn(QStringLiteral("rui"));
    QVERIFY(window != 0);
    // View > Review (Ctrl+2); the first image is Ana's 7: typing 7 approves it as it is.
    QVERIFY(m_x->keys({QStringLiteral("ctrl+2")}));
    settledScreenshot(*m_x); // the first image to review is on screen
    QVERIFY(m_x->type(QStringLiteral("7")));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM reviews")), 1,
                              15000);
    QCOMPARE(value(db(),
                   QStringLiteral("SELECT verdict FROM reviews r JOIN labels l ON l.id ="
                                  " r.label_id WHERE l.image_id = :image"),
                   {{QStringLiteral(":image"), first->imageId}})
                 .toString(),
             QStringLiteral("approved"));
    QVERIFY(value(db(), QStringLiteral("SELECT corrected_label FROM reviews")).isNull());

    // The second is rejected with a comment that looks like markup; it is kept as typed.
    QVERIFY(m_x->type(QStringLiteral("r")));
    const qulonglong comment = m_x->waitForWindow(QStringLiteral("^Reject$"));
    QVERIFY(comment != 0);
    QVERIFY(m_x->focus(comment));
    QVERIFY(m_x->type(QStringLiteral("<b>bold</b>")));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM reviews")), 2,
                              15000);
    QCOMPARE(value(db(), QStringLiteral("SELECT comment FROM reviews WHERE verdict = 'rejected'"))
                 .toString(),
             QStringLiteral("<b>bold</b>"));
    QCOMPARE(value(db(), QStringLiteral("SELECT status FROM images WHERE id = :image"),
                   {{QStringLiteral(":image"), second->imageId}})
                 .toString(),
             QStringLiteral("incoming"));
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

void tst_DesktopE2E::keyRemappingConflictIsRefused()
{
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4, 0.5});
    startApp();
    const qulonglong window = logIn(QStringLiteral("ana"));
    QVERIFY(window != 0);
    // File > Keys…: Accept (the first field) set to X, which is "not a digit", then Save.
    QVERIFY(m_x->keys({QStringLiteral("alt+f"), QStringLiteral("k")}));
    const qulonglong dialog = m_x->waitForWindow(QStringLiteral("^Keys$"));
    QVERIFY(dialog != 0);
    QVERIFY(m_x->focus(dialog));
    QVERIFY(m_x->type(QStringLiteral("x")));
    QTest::qWait(1500); // the key field waits a second for a second key
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTest::qWait(500);
    // Refused: the dialog is still open. Esc cancels it.
    QVERIFY(m_x->hasWindow(QStringLiteral("^Keys$")));
    QVERIFY(m_x->keys({QStringLiteral("Escape")}));
    QTRY_VERIFY(!m_x->hasWindow(QStringLiteral("^Keys$")));
    // x still means "not a digit" on the image on screen.
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->type(QStringLiteral("x")));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM labels")), 1, 15000);
    QVERIFY(value(db(), QStringLiteral("SELECT label FROM labels")).isNull());
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

void tst_DesktopE2E::importReachesTheOpenAnnotateView()
{
    QTemporaryDir scans;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(testing::writeFile(
            scans.filePath(QStringLiteral("scan%1.png").arg(i)),
            testing::encodeRing(QStringLiteral("png"), 60, 60, 30, 30, 10 + 4 * i, true)));
    }
    startApp();
    const qulonglong window = logIn(QStringLiteral("eve"));
    QVERIFY(window != 0);
    // Nothing to label yet. File > Import folder… (Ctrl+Shift+I), the folder typed in.
    QVERIFY(m_x->keys({QStringLiteral("ctrl+shift+i")}));
    const qulonglong chooser = m_x->waitForWindow(QStringLiteral("^Import a folder$"));
    QVERIFY(chooser != 0);
    QVERIFY(m_x->focus(chooser));
    QVERIFY(m_x->type(scans.path()));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM images")), 3, 20000);
    // The open Annotate view took the first new image: a digit labels it at once.
    QTRY_VERIFY_WITH_TIMEOUT(!m_x->hasWindow(QStringLiteral("^Import a folder$")), 10000);
    settledScreenshot(*m_x);
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->type(QStringLiteral("0")));
    QTRY_COMPARE_WITH_TIMEOUT(
        count(db(), QStringLiteral("SELECT COUNT(*) FROM labels l JOIN users u"
                                   " ON u.id = l.annotator_id WHERE"
                                   " u.name = 'eve' AND l.label = 0")),
        1, 10000);
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

void tst_DesktopE2E::trainOnAVersionFromTheDatasetsView()
{
    testing::addApprovedImages(*m_temp->workspace, 0, 200);
    const annotation::DatasetVersion v1 =
        annotation::DatasetService(db(), m_temp->workspace->root())
            .commit(annotation::Principal::localOperator(), QStringLiteral("for training"));
    startApp();
    const qulonglong window = logIn(QStringLiteral("eve"));
    QVERIFY(window != 0);
    // View > Datasets (Ctrl+3), v1 selected; Train on this version (Alt+T) opens the Training
    // view with v1 chosen; one epoch (the epochs field is Alt+E), Start (Ctrl+Return).
    QVERIFY(m_x->keys({QStringLiteral("ctrl+3")}));
    settledScreenshot(*m_x); // the versions are listed, v1 selected
    QVERIFY(m_x->keys({QStringLiteral("alt+t")}));
    settledScreenshot(*m_x);
    QVERIFY(m_x->keys({QStringLiteral("alt+e"), QStringLiteral("ctrl+a")}));
    QVERIFY(m_x->type(QStringLiteral("1")));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+Return")}));
    // The run, a child process, registers a model that names v1's commit, and the run history
    // holds it as finished.
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(), QStringLiteral("SELECT dataset_commit FROM models ORDER BY id DESC"))
            .toString(),
        v1.commitId, 120000);
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(), QStringLiteral("SELECT status FROM training_runs ORDER BY id DESC")).toString(),
        QStringLiteral("finished"), 20000);
    // Quitting while the child still runs would ask whether to cancel it: wait for its end.
    const qint64 pid =
        value(db(), QStringLiteral("SELECT pid FROM training_runs ORDER BY id DESC")).toLongLong();
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(pid)), 20000);
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

QTEST_GUILESS_MAIN(tst_DesktopE2E)
#include "tst_desktope2e.moc"
