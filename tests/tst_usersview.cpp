#include "annotation/authservice.h"
#include "storage/userrepository.h"
#include "tests/support/testdata.h"
#include "ui/mainwindow.h"
#include "ui/usersview.h"

#include <QLabel>
#include <QListWidget>
#include <QTest>

using namespace digitdesk;
using annotation::Role;

Q_DECLARE_METATYPE(annotation::Role)

class tst_UsersView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void viewsFollowTheRole_data();
    void viewsFollowTheRole();
    void adminManagesUsers();
};

void tst_UsersView::viewsFollowTheRole_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<QStringList>("views");
    QTest::newRow("annotator") << Role::Annotator << QStringList{QStringLiteral("Annotate")};
    QTest::newRow("reviewer") << Role::Reviewer
                              << QStringList{QStringLiteral("Annotate"), QStringLiteral("Review")};
    QTest::newRow("ml_engineer") << Role::MlEngineer
                                 << QStringList{QStringLiteral("Annotate"),
                                                QStringLiteral("Review"), QStringLiteral("Images"),
                                                QStringLiteral("Serving")};
    QTest::newRow("admin") << Role::Admin
                           << QStringList{QStringLiteral("Annotate"), QStringLiteral("Review"),
                                          QStringLiteral("Images"), QStringLiteral("Serving"),
                                          QStringLiteral("Users")};
}

void tst_UsersView::viewsFollowTheRole()
{
    QFETCH(Role, role);
    QFETCH(QStringList, views);
    testing::TempWorkspace temp;
    const auto who = testing::addUser(*temp.workspace, QStringLiteral("someone"), role);
    ui::MainWindow window(*temp.workspace, who);
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QStringList shown;
    for (int i = 0; i < nav->count(); ++i) {
        shown << nav->item(i)->text();
    }
    QCOMPARE(shown, views);
}

void tst_UsersView::adminManagesUsers()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    ui::UsersView view(temp.workspace->db(), admin);
    view.show();
    auto *message = view.findChild<QLabel *>(QStringLiteral("message"));

    view.createUser(QStringLiteral("ana"), QStringLiteral("short"), Role::Annotator);
    QVERIFY2(message->text().contains(QStringLiteral("too short")), qPrintable(message->text()));
    view.createUser(QStringLiteral("ana"), QStringLiteral("long enough 1"), Role::Annotator);
    QVERIFY(message->text().contains(QStringLiteral("Created ana")));
    storage::UserRepository users(temp.workspace->db());
    QCOMPARE(users.findByName(QStringLiteral("ana"))->role, QStringLiteral("annotator"));

    view.selectUser(QStringLiteral("ana"));
    view.setSelectedRole(Role::Reviewer);
    QCOMPARE(users.findByName(QStringLiteral("ana"))->role, QStringLiteral("reviewer"));
    view.toggleSelectedDisabled();
    QVERIFY(users.findByName(QStringLiteral("ana"))->disabled);
    annotation::AuthService auth(temp.workspace->db());
    QCOMPARE(auth.login(QStringLiteral("ana"), QStringLiteral("long enough 1"), QStringLiteral("t"))
                 .status,
             annotation::LoginResult::Status::Disabled);
    view.toggleSelectedDisabled();
    view.setPasswordProvider(
        [](const QString &) { return std::optional<QString>(QStringLiteral("brand new pass")); });
    view.resetSelectedPassword();
    QVERIFY(auth.login(QStringLiteral("ana"), QStringLiteral("brand new pass"), QStringLiteral("t"))
                .ok());

    // The last admin cannot lock everyone out.
    view.selectUser(QStringLiteral("ada"));
    view.toggleSelectedDisabled();
    QVERIFY2(message->text().contains(QStringLiteral("last active admin")),
             qPrintable(message->text()));
    QVERIFY(!users.findByName(QStringLiteral("ada"))->disabled);
    view.setSelectedRole(Role::Annotator);
    QCOMPARE(users.findByName(QStringLiteral("ada"))->role, QStringLiteral("admin"));
}

QTEST_MAIN(tst_UsersView)
#include "tst_usersview.moc"
