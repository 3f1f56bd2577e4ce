#include "annotation/accesscontrol.h"
#include "annotation/authservice.h"
#include "annotation/modelregistry.h"
#include "annotation/passwordhasher.h"
#include "annotation/permission.h"
#include "annotation/releasesignoff.h"
#include "annotation/userservice.h"
#include "models/flopcount.h"
#include "storage/auditlog.h"
#include "storage/connection.h"
#include "storage/migrations.h"
#include "storage/modelrepository.h"
#include "storage/sqlquery.h"
#include "storage/userrepository.h"
#include "tests/support/datasetfixture.h"

#include <QDir>
#include <QProcess>
#include <QTest>

using namespace digitdesk;
using annotation::Action;
using annotation::Role;

Q_DECLARE_METATYPE(annotation::Action)
Q_DECLARE_METATYPE(annotation::Role)

namespace {

// The matrix for the six roles, written out independently of permission.cpp: A = annotator,
// R = reviewer, M = ml_engineer, D = admin, Q = ml_qa, G = manager.
struct Row
{
    Action action;
    const char *allowed;
};

const Row Expected[] = {
    {Action::ViewImages, "ARMDQ"},
    {Action::ImportImages, "MD"},
    {Action::Annotate, "ARMD"},
    {Action::Review, "RMD"},
    {Action::ManageGold, "RMD"},
    {Action::ViewQualityFigures, "RMDQG"},
    {Action::ViewDatasets, "RMDQG"},
    {Action::CommitDataset, "RMD"},
    {Action::ManageDatasets, "MD"},
    {Action::TrainModel, "MD"},
    {Action::ImportModel, "MD"},
    {Action::MoveModelAlias, "MD"},
    {Action::ViewModels, "MDQG"},
    {Action::ViewMonitoring, "MDQG"},
    {Action::SetRetrainingPolicy, "MD"},
    {Action::ControlServing, "MD"},
    {Action::ManageUsers, "D"},
    {Action::ViewAuditLog, "D"},
    {Action::CheckWorkspace, "MD"},
    {Action::BackupWorkspace, "MD"},
    {Action::ChangeOwnPassword, "ARMDQG"},
    {Action::ValidateModel, "DQ"},
    {Action::ViewOverview, "DG"},
    {Action::SetTeamTargets, "DG"},
    {Action::ViewValidation, "MDQG"},
    {Action::RunDataCheck, "MDQ"},
    {Action::SendToReview, "MDQ"},
    {Action::ControlInbox, "MD"},
};

char letter(Role role)
{
    switch (role) {
    case Role::Annotator:
        return 'A';
    case Role::Reviewer:
        return 'R';
    case Role::MlEngineer:
        return 'M';
    case Role::Admin:
        return 'D';
    case Role::MlQa:
        return 'Q';
    case Role::Manager:
        return 'G';
    }
    return '?';
}

const QString Password = QStringLiteral("correct horse");

// An untrained DigitNet registered straight in the models table, as an older DigitDesk left it.
qint64 addOldModel(const QSqlDatabase &db, const QString &folder, const QString &engineer,
                   qint64 engineerId)
{
    storage::ModelRepository models(db);
    storage::ModelRecord record;
    record.architecture = QStringLiteral("digitnet");
    record.sourceDigest = QStringLiteral("digest");
    record.filePath = QStringLiteral("models/unplaced");
    record.fileSha256 = QStringLiteral("unplaced");
    const qint64 id = models.addModel(record, {engineer, engineerId, 0});
    const QString relative = QStringLiteral("models/%1.pt").arg(id);
    models::saveUntrained(models::Architecture::DigitNet, QDir(folder).filePath(relative));
    models.setFilePath(id, relative);
    storage::SqlQuery digest(db,
                             QStringLiteral("UPDATE models SET file_sha256 = :sha WHERE id = :id"),
                             QStringLiteral("set the digest"));
    digest.bindAll({{QStringLiteral(":sha"),
                     annotation::ModelRegistry::fileDigest(QDir(folder).filePath(relative))},
                    {QStringLiteral(":id"), id}});
    digest.exec();
    return id;
}

} // namespace

class tst_Roles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyActionIsInTheMatrix();
    void matrix_data();
    void matrix();
    void existingWorkspaceMigratesWithoutChangeOfRights();
    void emptyAndNewWorkspacesRequireSignOff();
    void newRolesFromTheCommandLine();
};

void tst_Roles::everyActionIsInTheMatrix()
{
    QCOMPARE(std::size(Expected), annotation::AllActions.size());
    for (size_t i = 0; i < std::size(Expected); ++i) {
        QVERIFY(Expected[i].action == annotation::AllActions[i]);
    }
    QCOMPARE(annotation::allRoleNames(),
             QStringList({QStringLiteral("annotator"), QStringLiteral("reviewer"),
                          QStringLiteral("ml_engineer"), QStringLiteral("admin"),
                          QStringLiteral("ml_qa"), QStringLiteral("manager")}));
    for (const Role role : annotation::AllRoles) {
        QVERIFY(annotation::roleFromString(annotation::toString(role)) == role);
    }
}

void tst_Roles::matrix_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<Action>("action");
    QTest::addColumn<bool>("allowed");
    for (const Row &row : Expected) {
        for (const Role role : annotation::AllRoles) {
            const QString name =
                annotation::toString(role) + QLatin1Char('/') + annotation::toString(row.action);
            QTest::newRow(qPrintable(name))
                << role << row.action << (std::strchr(row.allowed, letter(role)) != nullptr);
        }
    }
}

void tst_Roles::matrix()
{
    QFETCH(Role, role);
    QFETCH(Action, action);
    QFETCH(bool, allowed);
    QCOMPARE(annotation::isAllowed(role, action), allowed);
    // The check every service call goes through agrees, and audits a refusal.
    static testing::TempWorkspace temp;
    const annotation::AccessControl access(temp.workspace->db());
    const annotation::Principal who{QStringLiteral("someone"), role, 0, 0};
    const bool refused = testing::throws<annotation::PermissionDenied>(
        [&] { access.require(who, action, QStringLiteral("target")); });
    QCOMPARE(refused, !allowed);
    if (refused) {
        const storage::AuditEntry entry = storage::AuditLog(temp.workspace->db()).latest(1).front();
        QCOMPARE(entry.outcome, QStringLiteral("denied"));
        QCOMPARE(entry.action, annotation::toString(action));
    }
}

void tst_Roles::existingWorkspaceMigratesWithoutChangeOfRights()
{
    // A workspace at schema 8, the last before ml_qa and manager, in use: users of the four old
    // roles, two models, the first one production.
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("ws"));
    QVERIFY(QDir().mkpath(folder + QStringLiteral("/models")));
    qint64 first = 0;
    qint64 second = 0;
    {
        const storage::Connection connection(folder + QStringLiteral("/digitdesk.sqlite"));
        storage::Migrations::apply(connection.db(), 8);
        QCOMPARE(storage::Migrations::currentVersion(connection.db()), 8);
        storage::UserRepository users(connection.db());
        qint64 engineerId = 0;
        for (const Role role : {Role::Annotator, Role::Reviewer, Role::MlEngineer, Role::Admin}) {
            const qint64 id =
                users.add(annotation::toString(role), annotation::PasswordHasher::hash(Password),
                          annotation::toString(role), QStringLiteral("test"));
            engineerId = role == Role::MlEngineer ? id : engineerId;
        }
        first = addOldModel(connection.db(), folder, QStringLiteral("ml_engineer"), engineerId);
        second = addOldModel(connection.db(), folder, QStringLiteral("ml_engineer"), engineerId);
        storage::ModelRepository(connection.db())
            .moveAlias(annotation::ProductionAlias, first,
                       {QStringLiteral("ml_engineer"), engineerId, 0}, QStringLiteral("old"));
    }

    const auto workspace = storage::Workspace::open(folder);
    QCOMPARE(storage::Migrations::currentVersion(workspace->db()),
             storage::Migrations::latestVersion());
    storage::SqlQuery roles(workspace->db(), QStringLiteral("SELECT name FROM roles ORDER BY rank"),
                            QStringLiteral("test"));
    roles.exec();
    QStringList names;
    while (roles.next()) {
        names << roles.value(0).toString();
    }
    QCOMPARE(names, annotation::allRoleNames());

    // Everyone logs in with the role and the rights they had.
    annotation::AuthService auth(workspace->db());
    annotation::Principal engineer;
    for (const Role role : {Role::Annotator, Role::Reviewer, Role::MlEngineer, Role::Admin}) {
        const annotation::LoginResult login =
            auth.login(annotation::toString(role), Password, QStringLiteral("test"));
        QVERIFY2(login.ok(), qPrintable(login.message));
        QVERIFY(login.principal.role == role);
        engineer = role == Role::MlEngineer ? login.principal : engineer;
    }

    // Promotion worked without a sign-off and still does: the waiver is on, and says so.
    annotation::ReleaseSignOff signOff(workspace->db());
    QVERIFY(signOff.waived());
    QCOMPARE(annotation::toString(signOff.statusOf(second)), QStringLiteral("pending validation"));
    annotation::ModelRegistry registry(workspace->db(), workspace->root());
    registry.promote(engineer, second, QStringLiteral("after the upgrade"));
    QCOMPARE(registry.production().value_or(0), second);
    const testing::CliRun settings = testing::runDigitdeskOn(folder, "settings list");
    QVERIFY2(settings.out.contains(QStringLiteral("release.signoff_waived = 1")),
             qPrintable(settings.out + settings.err));

    // The new roles can be given now; once there is an ML QA user an admin may require the
    // sign-off. Going back to the model that served before still needs none.
    const annotation::Principal qa =
        testing::addUser(*workspace, QStringLiteral("quinn"), Role::MlQa);
    testing::addUser(*workspace, QStringLiteral("mia"), Role::Manager);
    signOff.setWaived(annotation::Principal::localOperator(), false);
    QCOMPARE(registry.rollBack(engineer, QStringLiteral("back")), first);
    signOff.decide(qa, second, true, QStringLiteral("checked"));
    QCOMPARE(annotation::toString(signOff.statusOf(second)), QStringLiteral("approved"));
}

void tst_Roles::emptyAndNewWorkspacesRequireSignOff()
{
    // Nothing in it yet: nobody's way of working changes, so no waiver.
    QTemporaryDir dir;
    {
        const storage::Connection connection(dir.filePath(QStringLiteral("digitdesk.sqlite")));
        storage::Migrations::apply(connection.db(), 8);
    }
    QVERIFY(!annotation::ReleaseSignOff(storage::Workspace::open(dir.path())->db()).waived());
    testing::TempWorkspace fresh;
    QVERIFY(!annotation::ReleaseSignOff(fresh.workspace->db()).waived());
}

void tst_Roles::newRolesFromTheCommandLine()
{
    testing::TempWorkspace temp;
    const QString folder = temp.folder();
    for (const char *role : {"ml_qa", "manager"}) {
        QProcess process;
        process.start(QStringLiteral(DIGITDESK_BINARY),
                      {QStringLiteral("users"), QStringLiteral("add"),
                       QStringLiteral("%1_user").arg(QLatin1String(role)), QStringLiteral("--role"),
                       QString::fromLatin1(role), QStringLiteral("--workspace"), folder});
        process.write(Password.toUtf8() + '\n');
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QVERIFY(process.readAllStandardOutput().contains(
            QStringLiteral("Added %1_user (%1)").arg(QLatin1String(role)).toUtf8()));
    }
    const testing::CliRun wrong = testing::runDigitdeskOn(folder, "users add someone --role qa");
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.err.contains(QStringLiteral(
                 "unknown role 'qa': use annotator|reviewer|ml_engineer|admin|ml_qa|manager")),
             qPrintable(wrong.err));
    // The manager's daily target, set by the operator as any setting.
    const testing::CliRun fraction =
        testing::runDigitdeskOn(folder, "settings set team.daily_target 2.5");
    QCOMPARE(fraction.exitCode, 1);
    QVERIFY2(fraction.err.contains(QStringLiteral("team.daily_target takes a whole number")),
             qPrintable(fraction.err));
    QCOMPARE(testing::runDigitdeskOn(folder, "settings set team.daily_target 250").exitCode, 0);
    QVERIFY(testing::runDigitdeskOn(folder, "settings list")
                .out.contains(QStringLiteral("team.daily_target = 250")));

    annotation::AuthService auth(temp.workspace->db());
    const annotation::LoginResult qa =
        auth.login(QStringLiteral("ml_qa_user"), Password, QStringLiteral("test"));
    QVERIFY2(qa.ok(), qPrintable(qa.message));
    QVERIFY(qa.principal.role == Role::MlQa);
    const annotation::LoginResult manager =
        auth.login(QStringLiteral("manager_user"), Password, QStringLiteral("test"));
    QVERIFY(manager.principal.role == Role::Manager);
    // Neither labels nor trains; both read what they judge.
    annotation::ModelRegistry registry(temp.workspace->db(), temp.workspace->root());
    for (const annotation::Principal &who : {qa.principal, manager.principal}) {
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] {
            registry.beginTraining(who, QStringLiteral("x"), QStringLiteral("x"),
                                   QStringLiteral("{}"));
        }));
        QVERIFY(registry.snapshot(who).models.empty());
    }
}

QTEST_GUILESS_MAIN(tst_Roles)
#include "tst_roles.moc"
