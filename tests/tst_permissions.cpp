#include "annotation/accesscontrol.h"
#include "annotation/annotationservice.h"
#include "annotation/importer.h"
#include "annotation/permission.h"
#include "annotation/reviewservice.h"
#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/imagerepository.h"
#include "tests/support/testdata.h"

#include <QTest>

using namespace digitdesk;
using annotation::Action;
using annotation::Role;

class tst_Permissions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userServiceChecksTheCaller();
    void importerChecksTheCaller();
    void ownPasswordOnly();
    void reviewUndoChecksTheCaller();
};

void tst_Permissions::userServiceChecksTheCaller()
{
    testing::TempWorkspace temp;
    const auto annotator =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    annotation::UserService users(temp.workspace->db());
    for (const auto &who : {annotator, engineer}) {
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] {
            users.addUser(who, QStringLiteral("new"), QStringLiteral("password1"), Role::Admin);
        }));
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] { users.listUsers(who); }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { users.setRole(who, QStringLiteral("ana"), Role::Admin); }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { users.setDisabled(who, QStringLiteral("ada"), true); }));
    }
    users.addUser(admin, QStringLiteral("new"), QStringLiteral("password1"), Role::Reviewer);
    QCOMPARE(users.listUsers(admin).size(), 4u);
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        users.addUser(admin, QStringLiteral("new"), QStringLiteral("password1"), Role::Reviewer);
    }));
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        users.addUser(admin, QStringLiteral("bad name"), QStringLiteral("password1"),
                      Role::Reviewer);
    }));
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        users.addUser(admin, QStringLiteral("short"), QStringLiteral("pw"), Role::Reviewer);
    }));
}

void tst_Permissions::importerChecksTheCaller()
{
    testing::TempWorkspace temp;
    const QString file = temp.dir.filePath(QStringLiteral("in/one.png"));
    QVERIFY(testing::writeFile(
        file, testing::encodeRing(QStringLiteral("png"), 40, 40, 20, 20, 10, true)));
    for (Role role : {Role::Annotator, Role::Reviewer}) {
        const auto who = testing::addUser(*temp.workspace, annotation::toString(role), role);
        annotation::Importer importer(temp.workspace->db(), temp.workspace->blobs(), who);
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] { importer.run({file}, {}); }));
    }
    QCOMPARE(storage::ImageRepository(temp.workspace->db()).count(), 0);

    // Importing labels as approved is a review as well: an engineer may, and so may an admin.
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    annotation::Importer importer(temp.workspace->db(), temp.workspace->blobs(), engineer);
    const auto report = importer.run({file}, {QString(), annotation::LabelPolicy::Approved});
    QCOMPARE(report.imported, 1);
}

void tst_Permissions::ownPasswordOnly()
{
    testing::TempWorkspace temp;
    auto ana = testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    annotation::UserService users(temp.workspace->db());
    users.changePassword(ana, QStringLiteral("ana"), QStringLiteral("another one"));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { users.changePassword(ana, QStringLiteral("rui"), QStringLiteral("hijacked!")); }));
}

void tst_Permissions::reviewUndoChecksTheCaller()
{
    testing::TempWorkspace temp;
    const std::vector<qint64> images = testing::addPredictedImages(*temp.workspace, {0.1, 0.2});
    const auto ana = testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    const auto rui = testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    const auto ida = testing::addUser(*temp.workspace, QStringLiteral("ida"), Role::Reviewer);
    annotation::AnnotationService annotation(temp.workspace->db());
    annotation.label(ana, images[0], storage::Label::fromDigit(0), 100);
    annotation.label(ana, images[1], storage::Label::fromDigit(1), 100);
    annotation::ReviewService review(temp.workspace->db());
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.approveAsGold(ana, images[0]); }));
    review.approveAsGold(rui, images[0]);

    // Only a reviewer undoes, and only their own decision.
    QVERIFY(testing::throws<annotation::PermissionDenied>([&] { review.undoLastReview(ana); }));
    const auto denied = storage::AuditLog(temp.workspace->db()).latest(1).front();
    QCOMPARE(denied.outcome, QStringLiteral("denied"));
    QCOMPARE(denied.actor, QStringLiteral("ana"));
    QVERIFY(!review.undoLastReview(ida));
    const storage::ImageRepository repository(temp.workspace->db());
    QCOMPARE(storage::toString(repository.details(images[0])->status), QStringLiteral("approved"));
    const std::optional<qint64> undone = review.undoLastReview(rui);
    QVERIFY(undone && *undone == images[0]);
    QCOMPARE(storage::toString(repository.details(images[0])->status), QStringLiteral("labelled"));

    // Four eyes still holds for the image that comes back: ana, a reviewer now, cannot review
    // her own label. (The role is read from her row at each call, so it is set there.)
    annotation::UserService(temp.workspace->db())
        .setRole(annotation::Principal::localOperator(), QStringLiteral("ana"), Role::Reviewer);
    const auto anaAsReviewer =
        annotation::Principal{QStringLiteral("ana"), Role::Reviewer, ana.userId, 0};
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.item(anaAsReviewer, images[0]); }));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.approveAsGold(anaAsReviewer, images[0]); }));
}

QTEST_GUILESS_MAIN(tst_Permissions)
#include "tst_permissions.moc"
