#include "tests/support/testdata.h"
#include "tests/support/usersviewdriver.h"
#include "ui/usersview.h"

#include <QComboBox>
#include <QTest>

using namespace digitdesk;
using namespace digitdesk::testing;
using annotation::Role;

namespace {

ui::UserAdministrationFactory usersOf(const testing::TempWorkspace &temp)
{
    return ui::userAdministrationFactory(temp.workspace->databasePath());
}

} // namespace

// Every change to an existing user is confirmed first; new passwords are typed twice.
class tst_UsersViewConfirm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roleChangeAsksFirst();
    void disablingAndEnablingAskFirst();
    void passwordResetAsksFirstAndTwice();
    void createAsksForThePasswordTwiceAndClearsTheForm();
};

void tst_UsersViewConfirm::roleChangeAsksFirst()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    clickUser(view, QStringLiteral("rui"));
    view.findChild<QComboBox *>(QStringLiteral("changeRole"))
        ->setCurrentText(QStringLiteral("annotator"));

    QString question;
    {
        ModalDialogs dialogs({answer(QMessageBox::No, &question)});
        click(view, QStringLiteral("setRole"));
        QVERIFY(dialogs.allHandled());
    }
    QCOMPARE(question, QStringLiteral("Change the role of rui from reviewer to annotator?"));
    QCOMPARE(roleOf(temp, QStringLiteral("rui")), QStringLiteral("reviewer"));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        click(view, QStringLiteral("setRole"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(roleOf(temp, QStringLiteral("rui")), QStringLiteral("annotator"));
    QCOMPARE(message(view), QStringLiteral("rui is now annotator."));
}

void tst_UsersViewConfirm::disablingAndEnablingAskFirst()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    clickUser(view, QStringLiteral("ana"));

    QString question;
    {
        ModalDialogs dialogs({answer(QMessageBox::No, &question)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QVERIFY2(question.startsWith(QStringLiteral("Disable ana?")), qPrintable(question));
    QVERIFY(!isDisabled(temp, QStringLiteral("ana")));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QVERIFY(isDisabled(temp, QStringLiteral("ana")));

    {
        ModalDialogs dialogs({answer(QMessageBox::No, &question)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QVERIFY2(question.startsWith(QStringLiteral("Enable ana?")), qPrintable(question));
    QVERIFY(isDisabled(temp, QStringLiteral("ana")));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QVERIFY(!isDisabled(temp, QStringLiteral("ana")));
}

void tst_UsersViewConfirm::passwordResetAsksFirstAndTwice()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator, Password);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    clickUser(view, QStringLiteral("ana"));

    // No: no password is asked for and the old one still works.
    QString question;
    {
        ModalDialogs dialogs({answer(QMessageBox::No, &question)});
        click(view, QStringLiteral("resetPassword"));
        QVERIFY(dialogs.allHandled());
        QCOMPARE(dialogs.handled(), 1);
    }
    QVERIFY2(question.startsWith(QStringLiteral("Reset the password of ana?")),
             qPrintable(question));
    QVERIFY(canLogIn(temp, QStringLiteral("ana"), Password));

    // Yes, then two different passwords: refused in the dialog, which stays open.
    QString mismatch;
    bool stayedOpen = false;
    {
        ModalDialogs dialogs(
            {answer(QMessageBox::Yes), [&](QWidget *dialog) {
                 typeInto(dialog, QStringLiteral("password"), QStringLiteral("brand new pass"));
                 typeInto(dialog, QStringLiteral("passwordRepeat"),
                          QStringLiteral("brand new pasS"));
                 clickOk(dialog);
                 mismatch = dialog->findChild<QLabel *>(QStringLiteral("passwordError"))->text();
                 stayedOpen = dialog->isVisible();
                 typeInto(dialog, QStringLiteral("passwordRepeat"),
                          QStringLiteral("brand new pass"));
                 clickOk(dialog);
             }});
        click(view, QStringLiteral("resetPassword"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QVERIFY(stayedOpen);
    QVERIFY2(mismatch.contains(QStringLiteral("passwords differ")), qPrintable(mismatch));
    QVERIFY(canLogIn(temp, QStringLiteral("ana"), QStringLiteral("brand new pass")));
    QVERIFY(!canLogIn(temp, QStringLiteral("ana"), Password));
    QCOMPARE(message(view), QStringLiteral("Set a new password for ana."));
}

void tst_UsersViewConfirm::createAsksForThePasswordTwiceAndClearsTheForm()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    storage::UserRepository users(temp.workspace->db());

    typeInto(&view, QStringLiteral("newName"), QStringLiteral("ana"));
    typeInto(&view, QStringLiteral("newPassword"), Password);
    typeInto(&view, QStringLiteral("newPasswordRepeat"), QStringLiteral("long enough 2"));
    click(view, QStringLiteral("createUser"));
    QVERIFY2(message(view).contains(QStringLiteral("passwords differ")), qPrintable(message(view)));
    QVERIFY(!users.findByName(QStringLiteral("ana")));

    typeInto(&view, QStringLiteral("newPassword"), Password);
    typeInto(&view, QStringLiteral("newPasswordRepeat"), Password);
    click(view, QStringLiteral("createUser"));
    QTRY_VERIFY(!view.isBusy());
    QVERIFY2(message(view).contains(QStringLiteral("Created ana")), qPrintable(message(view)));
    QVERIFY(canLogIn(temp, QStringLiteral("ana"), Password));
    for (const QString &field : {QStringLiteral("newName"), QStringLiteral("newPassword"),
                                 QStringLiteral("newPasswordRepeat")}) {
        QVERIFY2(view.findChild<QLineEdit *>(field)->text().isEmpty(), qPrintable(field));
    }
}

QTEST_MAIN(tst_UsersViewConfirm)
#include "tst_usersviewconfirm.moc"
