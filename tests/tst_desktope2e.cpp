#include "annotation/authservice.h"
#include "storage/settingsrepository.h"
#include "tests/support/desktope2efixture.h"

using namespace digitdesk;
using namespace digitdesk::testing::desktop;

// Sessions and settings on the real desktop: logging in and out for each role, the idle lock,
// the key settings. Each test says what it drove and checks what the database holds afterwards.
class tst_DesktopE2E : public DesktopE2EFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startDesktop(); }
    void init() { createWorkspace(); }
    void cleanup() { stopApp(); }
    void loginAndLogoutForEachRole_data();
    void loginAndLogoutForEachRole();
    void idleLockUnlockAndLogOut();
    void keyRemappingConflictIsRefused();
};

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
    // The scenario, not synchronisation: time passes on the locked screen before anyone types.
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
    // A wrong password after Esc is counted: the lock screen was still there to take it.
    QVERIFY(m_x->type(QStringLiteral("wrong")));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_COMPARE_WITH_TIMEOUT(
        count(db(), QStringLiteral("SELECT failed_logins FROM users WHERE name = 'ana'")), 1,
        10000);
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
    const QImage before = m_x->settledScreenshot();
    QVERIFY(m_x->type(QStringLiteral("x")));
    // The key was taken: the field shows it and the conflict is named under the fields.
    QVERIFY(m_x->changedScreenshot(before) != before);
    // Save (Return) is refused; Esc, handled after it, then cancels the dialog.
    QVERIFY(m_x->keys({QStringLiteral("Return"), QStringLiteral("Escape")}));
    QTRY_VERIFY(!m_x->hasWindow(QStringLiteral("^Keys$")));
    // x still means "not a digit" on the image on screen: the remapping was not saved.
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->type(QStringLiteral("x")));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM labels")), 1, 15000);
    QVERIFY(value(db(), QStringLiteral("SELECT label FROM labels")).isNull());
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

QTEST_GUILESS_MAIN(tst_DesktopE2E)
#include "tst_desktope2e.moc"
