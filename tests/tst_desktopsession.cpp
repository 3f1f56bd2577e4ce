#include "annotation/authservice.h"
#include "annotation/userservice.h"
#include "storage/connection.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"
#include "storage/userrepository.h"
#include "tests/support/testdata.h"
#include "ui/annotateview.h"
#include "ui/desktopsession.h"
#include "ui/lockdialog.h"
#include "ui/logindialog.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTest>
#include <QTimer>

using namespace digitdesk;

namespace {

qint64 scalar(const QSqlDatabase &db, const QString &sql, qint64 id = 0)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    if (sql.contains(QStringLiteral(":id"))) {
        query.bind(QStringLiteral(":id"), id);
    }
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

QString text(const QSqlDatabase &db, const QString &sql, qint64 id)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
    return query.next() ? query.value(0).toString() : QString();
}

template <typename Dialog> Dialog *openDialog()
{
    return qobject_cast<Dialog *>(QApplication::activeModalWidget());
}

// Answers the next login dialog as a person would, from inside its own event loop.
void answerLoginSoon(const QString &name, const QString &password)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, name, password] {
        auto *login = openDialog<ui::LoginDialog>();
        if (!login || !login->isVisible()) {
            return;
        }
        poll->stop();
        poll->deleteLater();
        auto *nameEdit = login->findChild<QLineEdit *>(QStringLiteral("userName"));
        if (password.isEmpty()) {
            login->reject();
            return;
        }
        nameEdit->setText(name);
        QTest::keyClicks(login->findChild<QLineEdit *>(QStringLiteral("password")), password);
        QTest::keyClick(login->findChild<QLineEdit *>(QStringLiteral("password")), Qt::Key_Return);
    });
    poll->start(20);
}

// What the next login dialog says, read from inside its own event loop; then it is left.
void readLoginMessageSoon(QString *message)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, message] {
        auto *login = openDialog<ui::LoginDialog>();
        if (!login || !login->isVisible()) {
            return;
        }
        poll->stop();
        poll->deleteLater();
        *message = login->findChild<QLabel *>(QStringLiteral("message"))->text();
        login->reject();
    });
    poll->start(20);
}

QStringList viewNames(const ui::MainWindow *window)
{
    QStringList names;
    const auto *nav = window->findChild<QListWidget *>(QStringLiteral("navigation"));
    for (int row = 0; row < nav->count(); ++row) {
        names << nav->item(row)->text();
    }
    return names;
}

void typeIntoLock(ui::LockDialog *lock, const QString &password)
{
    auto *field = lock->findChild<QLineEdit *>(QStringLiteral("password"));
    QTest::keyClicks(field, password);
    QTest::keyClick(field, Qt::Key_Return);
}

} // namespace

// The desktop session as a person lives it: log in, go idle until the screen locks, type the
// password (wrong, then right) or log out from the lock screen, quit.
class tst_DesktopSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void unlockResumesTheSameSession();
    void wrongPasswordsOnTheLockScreenAreThrottled();
    void logOutFromTheLockScreenEndsTheSessionAndFreesTheLeases();
    void quittingEndsTheSessionAndFreesTheLeases();
    void logOutFromTheLockOverAnotherDialog();
    void anAdminElsewhereEndsTheSession_data();
    void anAdminElsewhereEndsTheSession();
    void aRoleChangedUnderAnOpenSessionRebuildsTheViews();

private:
    std::unique_ptr<ui::DesktopSession> startSession(const QString &name = QStringLiteral("ana"));

    std::unique_ptr<testing::TempWorkspace> m_temp;
};

void tst_DesktopSession::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_desktopsession"));
    QApplication::setQuitOnLastWindowClosed(false);
}

void tst_DesktopSession::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9});
    testing::addUser(*m_temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting),
                  QStringLiteral("2"));
}

void tst_DesktopSession::cleanup()
{
    m_temp.reset();
    QSettings().remove(QStringLiteral("workspace"));
}

std::unique_ptr<ui::DesktopSession> tst_DesktopSession::startSession(const QString &name)
{
    auto session = std::make_unique<ui::DesktopSession>(m_temp->workspace->root());
    answerLoginSoon(name, QStringLiteral("correct horse"));
    if (!session->start()) {
        return nullptr;
    }
    return session;
}

void tst_DesktopSession::unlockResumesTheSameSession()
{
    auto session = startSession();
    QVERIFY(session);
    const qint64 sessionId = session->principal().sessionId;
    ui::AnnotateView *view = session->window()->annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    const qint64 onScreen = view->currentImageId();

    QTRY_VERIFY_WITH_TIMEOUT(session->lockDialog() != nullptr, 10000);
    // Past the idle timeout since the last activity, by the measure AuthService::touch takes
    // (whole seconds since last_seen_at): typing into the lock screen used to close the session
    // as idle, and the right password was then refused.
    const QDateTime lastSeen = storage::fromDbTime(
        text(m_temp->workspace->db(),
             QStringLiteral("SELECT last_seen_at FROM login_sessions WHERE id = :id"), sessionId));
    QVERIFY(lastSeen.isValid());
    QTRY_VERIFY_WITH_TIMEOUT(
        lastSeen.secsTo(QDateTime::currentDateTimeUtc()) >
            annotation::AuthService(m_temp->workspace->db()).idleTimeoutSeconds(),
        10000);
    // Esc and an empty password do nothing: the screen stays locked, nothing is counted.
    QTest::keyClick(session->lockDialog(), Qt::Key_Escape);
    QVERIFY(session->lockDialog() != nullptr && session->lockDialog()->isVisible());
    typeIntoLock(session->lockDialog(), QString());
    QCOMPARE(scalar(m_temp->workspace->db(),
                    QStringLiteral("SELECT failed_logins FROM users WHERE name = 'ana'")),
             0);
    typeIntoLock(session->lockDialog(), QStringLiteral("correct horse"));
    QTRY_VERIFY(session->lockDialog() == nullptr);
    QCOMPARE(session->principal().sessionId, sessionId);
    const QSqlDatabase db = m_temp->workspace->db();
    QCOMPARE(
        text(db, QStringLiteral("SELECT COALESCE(ended_at, '') FROM login_sessions WHERE id = :id"),
             sessionId),
        QString());
    QCOMPARE(view->currentImageId(), onScreen); // the work on screen is kept
    QTest::keyClick(view, Qt::Key_3);
    QTRY_VERIFY(!view->isBusy() && view->currentImageId() != onScreen);
    QCOMPARE(
        scalar(db,
               QStringLiteral("SELECT COUNT(*) FROM labels WHERE session_id = :id AND label = 3"),
               sessionId),
        1);
}

void tst_DesktopSession::wrongPasswordsOnTheLockScreenAreThrottled()
{
    auto session = startSession();
    QVERIFY(session);
    QTRY_VERIFY_WITH_TIMEOUT(session->lockDialog() != nullptr, 10000);
    ui::LockDialog *lock = session->lockDialog();
    for (int i = 0; i < annotation::AuthService::FreeAttempts; ++i) {
        typeIntoLock(lock, QStringLiteral("guess %1").arg(i));
    }
    typeIntoLock(lock, QStringLiteral("correct horse"));
    // Throttled like a failed login: even the right password waits its turn.
    QVERIFY(session->lockDialog() != nullptr);
    const QString message = lock->findChild<QLabel *>(QStringLiteral("message"))->text();
    QVERIFY2(message.contains(QStringLiteral("Too many wrong passwords")), qPrintable(message));
    QVERIFY(!lock->findChild<QPushButton *>(QStringLiteral("unlock"))->isEnabled());
    const QSqlDatabase db = m_temp->workspace->db();
    QCOMPARE(scalar(db, QStringLiteral("SELECT failed_logins FROM users WHERE name = 'ana'")),
             annotation::AuthService::FreeAttempts);
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'unlock'"
                                       " AND outcome = 'failed'")),
             annotation::AuthService::FreeAttempts);
    QTRY_VERIFY_WITH_TIMEOUT(lock->findChild<QPushButton *>(QStringLiteral("unlock"))->isEnabled(),
                             5000);
    typeIntoLock(lock, QStringLiteral("correct horse"));
    QTRY_VERIFY(session->lockDialog() == nullptr);
    QCOMPARE(scalar(db, QStringLiteral("SELECT failed_logins FROM users WHERE name = 'ana'")), 0);
}

void tst_DesktopSession::logOutFromTheLockScreenEndsTheSessionAndFreesTheLeases()
{
    auto session = startSession();
    QVERIFY(session);
    const qint64 sessionId = session->principal().sessionId;
    ui::AnnotateView *view = session->window()->annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    const QSqlDatabase db = m_temp->workspace->db();
    QTRY_VERIFY(scalar(db, QStringLiteral("SELECT COUNT(*) FROM leases")) > 1);

    QTRY_VERIFY_WITH_TIMEOUT(session->lockDialog() != nullptr, 10000);
    // "Log out" used to delete the dialog under its own feet: free(): invalid pointer.
    answerLoginSoon({}, {}); // then leave the login screen that comes back
    QTest::mouseClick(session->lockDialog()->findChild<QPushButton *>(QStringLiteral("logout")),
                      Qt::LeftButton);
    QTRY_VERIFY(session->window() == nullptr);
    QCOMPARE(
        text(db, QStringLiteral("SELECT end_reason FROM login_sessions WHERE id = :id"), sessionId),
        QStringLiteral("logout"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
}

void tst_DesktopSession::quittingEndsTheSessionAndFreesTheLeases()
{
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting),
                  QStringLiteral("900"));
    auto session = startSession();
    QVERIFY(session);
    const qint64 sessionId = session->principal().sessionId;
    ui::AnnotateView *view = session->window()->annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    const QSqlDatabase db = m_temp->workspace->db();
    QTRY_VERIFY(scalar(db, QStringLiteral("SELECT COUNT(*) FROM leases")) > 1);
    // Ctrl+Q quits the application; the session object goes with it.
    session.reset();
    QCOMPARE(
        text(db, QStringLiteral("SELECT end_reason FROM login_sessions WHERE id = :id"), sessionId),
        QStringLiteral("quit"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
}

void tst_DesktopSession::logOutFromTheLockOverAnotherDialog()
{
    auto session = startSession();
    QVERIFY(session);
    const qint64 sessionId = session->principal().sessionId;
    QAction *keys = nullptr;
    for (QAction *action : session->window()->findChildren<QAction *>()) {
        if (action->text().startsWith(QStringLiteral("&Keys"))) {
            keys = action;
        }
    }
    QVERIFY(keys);
    // File > Keys… is open (its own event loop) when the screen locks; "Log out" on the lock
    // must not delete that dialog under its loop.
    auto *pressLogOut = new QTimer(this);
    connect(pressLogOut, &QTimer::timeout, this, [&session, pressLogOut] {
        if (session->lockDialog() && session->lockDialog()->isVisible()) {
            pressLogOut->stop();
            answerLoginSoon({}, {});
            QTest::mouseClick(
                session->lockDialog()->findChild<QPushButton *>(QStringLiteral("logout")),
                Qt::LeftButton);
        }
    });
    pressLogOut->start(50);
    QTimer::singleShot(0, keys, &QAction::trigger);
    QTRY_VERIFY_WITH_TIMEOUT(session->window() == nullptr, 15000);
    QCOMPARE(text(m_temp->workspace->db(),
                  QStringLiteral("SELECT end_reason FROM login_sessions WHERE id = :id"),
                  sessionId),
             QStringLiteral("logout"));
    delete pressLogOut;
}

void tst_DesktopSession::anAdminElsewhereEndsTheSession_data()
{
    QTest::addColumn<bool>("disable");
    QTest::addColumn<QString>("why");
    QTest::newRow("demoted") << false << "your role changed to annotator";
    QTest::newRow("disabled") << true << "the account was disabled";
}

void tst_DesktopSession::anAdminElsewhereEndsTheSession()
{
    QFETCH(bool, disable);
    QFETCH(QString, why);
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting),
                  QStringLiteral("900"));
    testing::addUser(*m_temp->workspace, QStringLiteral("ada"), annotation::Role::Admin);
    testing::addUser(*m_temp->workspace, QStringLiteral("bob"), annotation::Role::Admin);
    auto session = startSession(QStringLiteral("bob"));
    QVERIFY(session);
    QVERIFY(viewNames(session->window()).contains(QStringLiteral("Users")));
    const qint64 sessionId = session->principal().sessionId;

    // ada, at another desk: her own connection, through the service.
    storage::Connection elsewhere(m_temp->workspace->databasePath());
    const auto ada = annotation::AuthService(elsewhere.db())
                         .login(QStringLiteral("ada"), QStringLiteral("correct horse"),
                                QStringLiteral("elsewhere"))
                         .principal;
    annotation::UserService users(elsewhere.db());
    QString shown;
    readLoginMessageSoon(&shown);
    if (disable) {
        users.setDisabled(ada, QStringLiteral("bob"), true);
    } else {
        users.setRole(ada, QStringLiteral("bob"), annotation::Role::Annotator);
    }
    // Nobody touches bob's window: the watch notices by itself, and the login screen says why.
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 10000);
    QVERIFY2(shown.contains(QStringLiteral("Your session was ended: ") + why), qPrintable(shown));
    QTRY_VERIFY(session->window() == nullptr);
    QCOMPARE(
        storage::UserRepository(m_temp->workspace->db()).findByName(QStringLiteral("bob"))->role,
        QLatin1String(disable ? "admin" : "annotator"));
    QVERIFY(!text(m_temp->workspace->db(),
                  QStringLiteral("SELECT ended_at FROM login_sessions WHERE id = :id"), sessionId)
                 .isEmpty());
}

void tst_DesktopSession::aRoleChangedUnderAnOpenSessionRebuildsTheViews()
{
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting),
                  QStringLiteral("900"));
    testing::addUser(*m_temp->workspace, QStringLiteral("ada"), annotation::Role::Admin);
    auto session = startSession(QStringLiteral("ada"));
    QVERIFY(session);
    const qint64 sessionId = session->principal().sessionId;
    QVERIFY(viewNames(session->window()).contains(QStringLiteral("Users")));

    // The row changes under the open session (another process, no session ended): the
    // window keeps the session and shows what the new role may use.
    storage::Connection elsewhere(m_temp->workspace->databasePath());
    storage::UserRepository(elsewhere.db())
        .setRole(session->principal().userId, QStringLiteral("reviewer"));
    QTRY_VERIFY_WITH_TIMEOUT(session->window() &&
                                 !viewNames(session->window()).contains(QStringLiteral("Users")),
                             10000);
    QCOMPARE(viewNames(session->window()),
             QStringList({QStringLiteral("Annotate"), QStringLiteral("Review"),
                          QStringLiteral("Datasets")}));
    QCOMPARE(session->principal().sessionId, sessionId);
    QVERIFY(session->principal().role == annotation::Role::Reviewer);
    QVERIFY(session->window()->statusBar()->currentMessage().contains(QStringLiteral("reviewer")));
}

QTEST_MAIN(tst_DesktopSession)
#include "tst_desktopsession.moc"
