#include "annotation/authservice.h"
#include "annotation/passwordhasher.h"
#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/sessionrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "storage/userrepository.h"
#include "tests/support/testdata.h"

#include <QTest>

using namespace digitdesk;
using annotation::LoginResult;

class tst_Auth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hashIsArgon2idAndSalted();
    void verifyAcceptsOnlyTheRightPassword();
    void rightPasswordOpensASession();
    void wrongPasswordIsRefusedAndAudited();
    void unknownUserLooksLikeAWrongPassword();
    void disabledAccountIsLocked();
    void repeatedFailuresAreRateLimited();
    void successResetsTheFailures();
    void logoutClosesTheSession();
    void idleTimeoutClosesTheSession();
    void passwordIsNeverStoredInClear();
    void disablingDemotingOrResettingEndsTheSessions();
    void failuresCountFromTheRowInTheTransaction();
    void lockoutLooksTheSameForAnyName();
    void theLockScreenRespectsALoginLockout();

private:
    QDateTime m_now = QDateTime(QDate(2026, 11, 23), QTime(9, 0), Qt::UTC);
    annotation::AuthService::Clock clock()
    {
        return [this] {
            return m_now;
        };
    }
};

void tst_Auth::hashIsArgon2idAndSalted()
{
    const QString first = annotation::PasswordHasher::hash(QStringLiteral("correct horse"));
    const QString second = annotation::PasswordHasher::hash(QStringLiteral("correct horse"));
    QVERIFY2(first.startsWith(QStringLiteral("$argon2id$")), qPrintable(first));
    QVERIFY(first != second);
    QVERIFY(!annotation::PasswordHasher::needsRehash(first));
}

void tst_Auth::verifyAcceptsOnlyTheRightPassword()
{
    const QString hash = annotation::PasswordHasher::hash(QStringLiteral("ünïcödé pass"));
    QVERIFY(annotation::PasswordHasher::verify(hash, QStringLiteral("ünïcödé pass")));
    QVERIFY(!annotation::PasswordHasher::verify(hash, QStringLiteral("unicode pass")));
    QVERIFY(!annotation::PasswordHasher::verify(hash, QString()));
    QVERIFY(!annotation::PasswordHasher::verify(QStringLiteral("not a hash"), QStringLiteral("x")));
}

void tst_Auth::rightPasswordOpensASession()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    const LoginResult result =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("test"));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.principal.name, QStringLiteral("ana"));
    QVERIFY(result.principal.role == annotation::Role::Annotator);
    QVERIFY(result.principal.sessionId > 0);
    const auto session =
        storage::SessionRepository(temp.workspace->db()).find(result.principal.sessionId);
    QVERIFY(session.has_value());
    QCOMPARE(session->userId, result.principal.userId);
    QCOMPARE(session->startedAt, m_now);
    QVERIFY(!session->endedAt.isValid());
    const auto audit = storage::AuditLog(temp.workspace->db()).latest(1);
    QCOMPARE(audit.front().action, QStringLiteral("login"));
    QCOMPARE(audit.front().outcome, QStringLiteral("ok"));
    QCOMPARE(audit.front().sessionId, result.principal.sessionId);
}

void tst_Auth::wrongPasswordIsRefusedAndAudited()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    const LoginResult result =
        auth.login(QStringLiteral("ana"), QStringLiteral("wrong horse"), QStringLiteral("test"));
    QCOMPARE(result.status, LoginResult::Status::WrongCredentials);
    QVERIFY(result.message.contains(QStringLiteral("Wrong user name or password")));
    const auto audit = storage::AuditLog(temp.workspace->db()).latest(1);
    QCOMPARE(audit.front().outcome, QStringLiteral("failed"));
    QVERIFY(audit.front().detail.contains(QStringLiteral("wrong password")));
    QCOMPARE(storage::UserRepository(temp.workspace->db())
                 .findByName(QStringLiteral("ana"))
                 ->failedLogins,
             1);
}

void tst_Auth::unknownUserLooksLikeAWrongPassword()
{
    testing::TempWorkspace temp;
    annotation::AuthService auth(temp.workspace->db(), clock());
    const LoginResult result =
        auth.login(QStringLiteral("nobody"), QStringLiteral("whatever1"), QStringLiteral("test"));
    QCOMPARE(result.status, LoginResult::Status::WrongCredentials);
    QCOMPARE(result.message, QStringLiteral("Wrong user name or password."));
    QCOMPARE(storage::AuditLog(temp.workspace->db()).latest(1).front().detail,
             QStringLiteral("unknown user (1 in a row)"));
}

void tst_Auth::disabledAccountIsLocked()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::UserService(temp.workspace->db())
        .setDisabled(annotation::Principal::localOperator(), QStringLiteral("ana"), true);
    annotation::AuthService auth(temp.workspace->db(), clock());
    const LoginResult result =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("test"));
    QCOMPARE(result.status, LoginResult::Status::Disabled);
    QVERIFY(result.message.contains(QStringLiteral("disabled")));
    QCOMPARE(result.principal.sessionId, 0);
}

void tst_Auth::repeatedFailuresAreRateLimited()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    for (int i = 0; i < annotation::AuthService::FreeAttempts; ++i) {
        QCOMPARE(
            auth.login(QStringLiteral("ana"), QStringLiteral("guess%1").arg(i), QStringLiteral("t"))
                .status,
            LoginResult::Status::WrongCredentials);
    }
    // Now even the right password waits: the attempt is not checked at all.
    LoginResult limited =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"));
    QCOMPARE(limited.status, LoginResult::Status::RateLimited);
    QCOMPARE(limited.retryAfter, m_now.addSecs(2));
    QVERIFY(limited.message.contains(QStringLiteral("try again in 2 s")));
    QCOMPARE(storage::AuditLog(temp.workspace->db()).latest(1).front().outcome,
             QStringLiteral("denied"));

    // Each further failure doubles the wait.
    m_now = m_now.addSecs(3);
    QCOMPARE(auth.login(QStringLiteral("ana"), QStringLiteral("guess"), QStringLiteral("t")).status,
             LoginResult::Status::WrongCredentials);
    limited =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"));
    QCOMPARE(limited.status, LoginResult::Status::RateLimited);
    QCOMPARE(limited.retryAfter, m_now.addSecs(4));

    // Once the wait is over, the right password works.
    m_now = m_now.addSecs(5);
    QVERIFY(auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"))
                .ok());
}

void tst_Auth::successResetsTheFailures()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    auth.login(QStringLiteral("ana"), QStringLiteral("guess"), QStringLiteral("t"));
    QVERIFY(auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"))
                .ok());
    const auto user =
        storage::UserRepository(temp.workspace->db()).findByName(QStringLiteral("ana"));
    QCOMPARE(user->failedLogins, 0);
    QVERIFY(!user->lockedUntil.isValid());
}

void tst_Auth::logoutClosesTheSession()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    const auto who =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"))
            .principal;
    m_now = m_now.addSecs(60);
    auth.logout(who);
    const auto session = storage::SessionRepository(temp.workspace->db()).find(who.sessionId);
    QCOMPARE(session->endedAt, m_now);
    QCOMPARE(session->endReason, QStringLiteral("logout"));
    QVERIFY(!auth.touch(who));
}

void tst_Auth::idleTimeoutClosesTheSession()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    storage::SettingsRepository(temp.workspace->db())
        .setValue(QString::fromLatin1(annotation::AuthService::IdleTimeoutSetting),
                  QStringLiteral("600"));
    annotation::AuthService auth(temp.workspace->db(), clock());
    QCOMPARE(auth.idleTimeoutSeconds(), 600);
    const auto who =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"))
            .principal;
    m_now = m_now.addSecs(590);
    QVERIFY(auth.touch(who));
    m_now = m_now.addSecs(590);
    QVERIFY(auth.touch(who)); // activity 590 s after the last one keeps it open
    m_now = m_now.addSecs(601);
    QVERIFY(!auth.touch(who));
    const auto session = storage::SessionRepository(temp.workspace->db()).find(who.sessionId);
    QCOMPARE(session->endReason, QStringLiteral("idle"));
    QVERIFY(!auth.touch(who));
}

void tst_Auth::passwordIsNeverStoredInClear()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator,
                     QStringLiteral("a very secret one"));
    storage::SqlQuery query(temp.workspace->db(),
                            QStringLiteral("SELECT COUNT(*) FROM users WHERE password_hash LIKE"
                                           " '%very secret%'"),
                            QStringLiteral("look for clear passwords"));
    query.exec();
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 0);
}

void tst_Auth::disablingDemotingOrResettingEndsTheSessions()
{
    testing::TempWorkspace temp;
    const annotation::Principal admin =
        testing::addUser(*temp.workspace, QStringLiteral("ada"), annotation::Role::Admin);
    annotation::AuthService auth(temp.workspace->db(), clock());
    annotation::UserService users(temp.workspace->db());
    const auto loggedIn = [&](const QString &name) {
        return auth.login(name, QStringLiteral("correct horse"), QStringLiteral("t")).principal;
    };
    const auto endReason = [&](const annotation::Principal &who) {
        return storage::SessionRepository(temp.workspace->db()).find(who.sessionId)->endReason;
    };
    testing::addUser(*temp.workspace, QStringLiteral("dan"), annotation::Role::Reviewer);
    const annotation::Principal demoted = loggedIn(QStringLiteral("dan"));
    users.setRole(admin, QStringLiteral("dan"), annotation::Role::Annotator);
    QVERIFY(!auth.touch(demoted)); // the window holding the reviewer's rights locks
    QCOMPARE(endReason(demoted), QStringLiteral("role changed"));

    testing::addUser(*temp.workspace, QStringLiteral("dora"), annotation::Role::Annotator);
    const annotation::Principal disabled = loggedIn(QStringLiteral("dora"));
    users.setDisabled(admin, QStringLiteral("dora"), true);
    QVERIFY(!auth.touch(disabled));
    QCOMPARE(endReason(disabled), QStringLiteral("account disabled"));

    testing::addUser(*temp.workspace, QStringLiteral("rex"), annotation::Role::Annotator);
    const annotation::Principal reset = loggedIn(QStringLiteral("rex"));
    users.changePassword(admin, QStringLiteral("rex"), QStringLiteral("another good one"));
    QVERIFY(!auth.touch(reset));
    QCOMPARE(endReason(reset), QStringLiteral("password reset"));

    // Changing one's own password keeps one's own session.
    const annotation::Principal own = loggedIn(QStringLiteral("ada"));
    users.changePassword(own, QStringLiteral("ada"), QStringLiteral("another good one"));
    QVERIFY(auth.touch(own));
}

void tst_Auth::failuresCountFromTheRowInTheTransaction()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    storage::UserRepository users(temp.workspace->db());
    const qint64 id = users.findByName(QStringLiteral("ana"))->id;
    // Another login's failure lands between this one's read of the account and its write
    // (the clock is asked once at the start of the login and once as the failure is
    // recorded): both must count.
    int asked = 0;
    annotation::AuthService auth(temp.workspace->db(), [&] {
        if (++asked == 2) {
            users.recordFailedLogin(id, 1, {});
        }
        return m_now;
    });
    auth.login(QStringLiteral("ana"), QStringLiteral("wrong"), QStringLiteral("t"));
    QCOMPARE(asked, 2);
    QCOMPARE(users.findByName(QStringLiteral("ana"))->failedLogins, 2);
}

void tst_Auth::lockoutLooksTheSameForAnyName()
{
    // What a guesser sees, attempt by attempt, for a name that exists and one that does not:
    // the status, the words (the name aside) and the wait must not tell them apart.
    const auto attempts = [this](const QString &name) {
        testing::TempWorkspace temp;
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
        m_now = QDateTime(QDate(2026, 11, 23), QTime(9, 0), Qt::UTC);
        const QDateTime start = m_now;
        annotation::AuthService auth(temp.workspace->db(), clock());
        QStringList seen;
        for (const int wait : {0, 0, 0, 0, 1, 2, 0, 5, 0, 9, 0, 17, 0}) {
            m_now = m_now.addSecs(wait);
            const LoginResult result =
                auth.login(name, QStringLiteral("guess"), QStringLiteral("t"));
            seen << QStringLiteral("%1|%2|%3")
                        .arg(static_cast<int>(result.status))
                        .arg(QString(result.message).replace(name, QStringLiteral("NAME")))
                        .arg(result.retryAfter.isValid() ? start.secsTo(result.retryAfter) : -1);
        }
        return seen;
    };
    const QStringList existing = attempts(QStringLiteral("ana"));
    const QStringList unknown = attempts(QStringLiteral("nobody"));
    QCOMPARE(unknown, existing);
    QVERIFY2(existing.join(QLatin1Char('\n')).contains(QStringLiteral("Too many failed logins")),
             qPrintable(existing.join(QLatin1Char('\n'))));
    QVERIFY(existing.join(QLatin1Char('\n')).contains(QStringLiteral("Next attempt in 4 s.")));
}

void tst_Auth::theLockScreenRespectsALoginLockout()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    annotation::AuthService auth(temp.workspace->db(), clock());
    const annotation::Principal ana =
        auth.login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("t"))
            .principal;
    // Someone at another machine guesses ana's password until the account waits...
    for (int i = 0; i < annotation::AuthService::FreeAttempts; ++i) {
        auth.login(QStringLiteral("ana"), QStringLiteral("guess"), QStringLiteral("other"));
    }
    // ...and her locked screen waits too, even for the right password.
    const LoginResult locked = auth.unlock(ana, QStringLiteral("correct horse"));
    QCOMPARE(locked.status, LoginResult::Status::RateLimited);
    QCOMPARE(locked.retryAfter, m_now.addSecs(2));
    m_now = m_now.addSecs(2);
    QVERIFY(auth.unlock(ana, QStringLiteral("correct horse")).ok());
}

QTEST_GUILESS_MAIN(tst_Auth)
#include "tst_auth.moc"
