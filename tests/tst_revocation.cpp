#include "annotation/accesscontrol.h"
#include "annotation/authservice.h"
#include "annotation/reviewservice.h"
#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/connection.h"
#include "storage/userrepository.h"
#include "tests/support/testdata.h"

#include <QTest>
#include <QThread>

#include <latch>

using namespace digitdesk;
using annotation::Action;
using annotation::Role;

namespace {

annotation::Principal loggedIn(const storage::Workspace &workspace, const QString &name)
{
    const annotation::LoginResult result =
        annotation::AuthService(workspace.db())
            .login(name, QStringLiteral("correct horse"), QStringLiteral("test"));
    if (!result.ok()) {
        qFatal("cannot log %s in: %s", qPrintable(name), qPrintable(result.message));
    }
    return result.principal;
}

QString roleOf(const storage::Workspace &workspace, const QString &name)
{
    return storage::UserRepository(workspace.db()).findByName(name)->role;
}

} // namespace

// Rights taken away elsewhere are gone at the next call: every service action is checked
// against the user's role and session as they are in the database now, not as they were at
// login, and the command line's operator keeps working without a user row.
class tst_Revocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anEndedSessionCanDoNothing_data();
    void anEndedSessionCanDoNothing();
    void aDemotedAdminCannotPromoteThemselfBack();
    void theRoleIsReadAtTheCall();
    void theOperatorNeedsNoUserRow();
    void twoAdminsDemotingEachOtherLeaveOne();
};

void tst_Revocation::anEndedSessionCanDoNothing_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("why");
    QTest::newRow("demoted") << "demote"
                             << "your role changed to annotator";
    QTest::newRow("disabled") << "disable"
                              << "the account was disabled";
    QTest::newRow("password reset") << "reset"
                                    << "an admin reset your password";
    QTest::newRow("logged out elsewhere") << "logout"
                                          << "it was closed (logout)";
}

void tst_Revocation::anEndedSessionCanDoNothing()
{
    QFETCH(QString, change);
    QFETCH(QString, why);
    testing::TempWorkspace temp;
    const std::vector<qint64> images = testing::addPredictedImages(*temp.workspace, {0.1, 0.2});
    testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    const annotation::Principal admin = loggedIn(*temp.workspace, QStringLiteral("ada"));
    const annotation::Principal rui = loggedIn(*temp.workspace, QStringLiteral("rui"));
    annotation::UserService users(temp.workspace->db());
    annotation::ReviewService review(temp.workspace->db());
    annotation::AccessControl(temp.workspace->db()).require(rui, Action::Review);

    if (change == QLatin1String("demote")) {
        users.setRole(admin, QStringLiteral("rui"), Role::Annotator);
    } else if (change == QLatin1String("disable")) {
        users.setDisabled(admin, QStringLiteral("rui"), true);
    } else if (change == QLatin1String("reset")) {
        users.changePassword(admin, QStringLiteral("rui"), QStringLiteral("a new password"));
    } else {
        annotation::AuthService(temp.workspace->db()).logout(rui);
    }

    // Even what every role may do is refused: the window must log in again.
    QString message;
    try {
        users.changePassword(rui, QStringLiteral("rui"), QStringLiteral("mine again!"));
    } catch (const annotation::SessionEnded &ended) {
        message = QString::fromUtf8(ended.what());
        QCOMPARE(ended.why(), why);
    }
    QCOMPARE(message, QStringLiteral("your session was ended: ") + why);
    QVERIFY(
        testing::throws<annotation::SessionEnded>([&] { review.approveAsGold(rui, images[0]); }));
    const auto denied = storage::AuditLog(temp.workspace->db()).latest(1).front();
    QCOMPARE(denied.actor, QStringLiteral("rui"));
    QCOMPARE(denied.sessionId, rui.sessionId);
    QCOMPARE(denied.outcome, QStringLiteral("denied"));
    QCOMPARE(denied.detail, QStringLiteral("session ended: ") + why);
    // A SessionEnded is a PermissionDenied: the command line and old catch sites still see it.
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.approveAsGold(rui, images[0]); }));
}

void tst_Revocation::aDemotedAdminCannotPromoteThemselfBack()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("bob"), Role::Admin);
    const annotation::Principal ada = loggedIn(*temp.workspace, QStringLiteral("ada"));
    const annotation::Principal bob = loggedIn(*temp.workspace, QStringLiteral("bob"));
    annotation::UserService users(temp.workspace->db());
    users.setRole(ada, QStringLiteral("bob"), Role::Annotator);

    // bob's window still says admin; the database does not.
    QVERIFY(testing::throws<annotation::SessionEnded>(
        [&] { users.setRole(bob, QStringLiteral("bob"), Role::Admin); }));
    QVERIFY(testing::throws<annotation::SessionEnded>([&] { users.listUsers(bob); }));
    QCOMPARE(roleOf(*temp.workspace, QStringLiteral("bob")), QStringLiteral("annotator"));

    // Logged in again, bob is an annotator, and is told so.
    const annotation::Principal again = loggedIn(*temp.workspace, QStringLiteral("bob"));
    try {
        users.setRole(again, QStringLiteral("bob"), Role::Admin);
        QFAIL("an annotator promoted themself");
    } catch (const annotation::SessionEnded &) {
        QFAIL("a fresh session was taken for an ended one");
    } catch (const annotation::PermissionDenied &denied) {
        QCOMPARE(QString::fromUtf8(denied.what()),
                 QStringLiteral("permission denied: bob (role annotator) may not manage users"));
    }
    QCOMPARE(roleOf(*temp.workspace, QStringLiteral("bob")), QStringLiteral("annotator"));
}

void tst_Revocation::theRoleIsReadAtTheCall()
{
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    const annotation::Principal ada = loggedIn(*temp.workspace, QStringLiteral("ada"));
    const annotation::Principal ana = loggedIn(*temp.workspace, QStringLiteral("ana"));
    const annotation::AccessControl access(temp.workspace->db());
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { access.require(ana, Action::Review); }));

    // The row changes under open sessions (no service ends them here): the next call goes by
    // the row, both ways.
    storage::UserRepository rows(temp.workspace->db());
    rows.setRole(ana.userId, QStringLiteral("reviewer"));
    rows.setRole(ada.userId, QStringLiteral("ml_engineer"));
    access.require(ana, Action::Review);
    QVERIFY(access.standing(ana).mayAct());
    QVERIFY(access.standing(ana).role == Role::Reviewer);
    QVERIFY(!testing::throws<annotation::SessionEnded>(
        [&] { access.require(ada, Action::ManageUsers); }));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { access.require(ada, Action::ManageUsers); }));
    QCOMPARE(storage::AuditLog(temp.workspace->db()).latest(1).front().detail,
             QStringLiteral("role ml_engineer"));

    // A principal made without a login (sessionId 0) is still held to the row.
    const annotation::Principal noSession{QStringLiteral("ada"), Role::Admin, ada.userId, 0};
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { access.require(noSession, Action::ManageUsers); }));
    rows.setDisabled(ada.userId, true);
    QVERIFY(testing::throws<annotation::SessionEnded>(
        [&] { access.require(noSession, Action::ViewModels); }));
    QCOMPARE(access.standing(ada).ended, QStringLiteral("the account was disabled"));
}

void tst_Revocation::theOperatorNeedsNoUserRow()
{
    testing::TempWorkspace temp;
    const annotation::AccessControl access(temp.workspace->db());
    const annotation::Principal operatorOfTheFolder = annotation::Principal::localOperator();
    for (const Action action : annotation::AllActions) {
        access.require(operatorOfTheFolder, action);
    }
    annotation::UserService(temp.workspace->db())
        .addUser(operatorOfTheFolder, QStringLiteral("ada"), QStringLiteral("correct horse"),
                 Role::Admin);
    QCOMPARE(roleOf(*temp.workspace, QStringLiteral("ada")), QStringLiteral("admin"));
}

void tst_Revocation::twoAdminsDemotingEachOtherLeaveOne()
{
    testing::TempWorkspace temp;
    const annotation::Principal ada =
        testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    const annotation::Principal bob =
        testing::addUser(*temp.workspace, QStringLiteral("bob"), Role::Admin);
    const annotation::Principal operatorOfTheFolder = annotation::Principal::localOperator();
    annotation::UserService restore(temp.workspace->db());
    const QString path = temp.workspace->databasePath();
    constexpr int Rounds = 40;
    int adaWon = 0;
    for (int round = 0; round < Rounds; ++round) {
        // Odd rounds disable instead of demoting: the same last-admin rule holds.
        const bool disable = round % 2 == 1;
        std::latch start(2);
        QString outcome[2];
        const auto attempt = [&](int me, const annotation::Principal &who, const QString &other) {
            storage::Connection connection(path);
            annotation::UserService users(connection.db());
            start.arrive_and_wait();
            try {
                if (disable) {
                    users.setDisabled(who, other, true);
                } else {
                    users.setRole(who, other, Role::Annotator);
                }
                outcome[me] = QStringLiteral("ok");
            } catch (const std::exception &error) {
                outcome[me] = QString::fromUtf8(error.what());
            }
        };
        std::unique_ptr<QThread> first(
            QThread::create([&] { attempt(0, ada, QStringLiteral("bob")); }));
        std::unique_ptr<QThread> second(
            QThread::create([&] { attempt(1, bob, QStringLiteral("ada")); }));
        first->start();
        second->start();
        QVERIFY(first->wait(30000) && second->wait(30000));

        int admins = 0;
        for (const storage::UserRecord &user :
             storage::UserRepository(temp.workspace->db()).list()) {
            admins += user.role == QLatin1String("admin") && !user.disabled ? 1 : 0;
        }
        QVERIFY2(admins == 1, qPrintable(QStringLiteral("round %1: %2 active admins; %3 / %4")
                                             .arg(round)
                                             .arg(admins)
                                             .arg(outcome[0], outcome[1])));
        QVERIFY2((outcome[0] == QLatin1String("ok")) != (outcome[1] == QLatin1String("ok")),
                 qPrintable(outcome[0] + QStringLiteral(" / ") + outcome[1]));
        const QString &loser = outcome[0] == QLatin1String("ok") ? outcome[1] : outcome[0];
        // Refused in the transaction, or (when the winner had committed before the loser's
        // check) refused because the loser is no longer an active admin.
        const bool clear = loser.contains(QStringLiteral("is the last active admin")) ||
                           loser.contains(QStringLiteral("may not manage users")) ||
                           loser.contains(QStringLiteral("the account was disabled"));
        QVERIFY2(clear, qPrintable(loser));
        adaWon += outcome[0] == QLatin1String("ok") ? 1 : 0;

        restore.setDisabled(operatorOfTheFolder, QStringLiteral("ada"), false);
        restore.setDisabled(operatorOfTheFolder, QStringLiteral("bob"), false);
        restore.setRole(operatorOfTheFolder, QStringLiteral("ada"), Role::Admin);
        restore.setRole(operatorOfTheFolder, QStringLiteral("bob"), Role::Admin);
    }
    qInfo("ada won %d of %d rounds", adaWon, Rounds);
}

QTEST_GUILESS_MAIN(tst_Revocation)
#include "tst_revocation.moc"
