#include "annotation/authservice.h"
#include "storage/userrepository.h"
#include "tests/support/guithreadsql.h"
#include "tests/support/testdata.h"
#include "tests/support/usersviewdriver.h"
#include "ui/mainwindow.h"
#include "ui/usersview.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace digitdesk;
using annotation::Role;

Q_DECLARE_METATYPE(annotation::Role)

using namespace digitdesk::testing;

namespace {

ui::UserAdministrationFactory usersOf(const testing::TempWorkspace &temp)
{
    return ui::userAdministrationFactory(temp.workspace->databasePath());
}

} // namespace

class tst_UsersView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { testing::GuiThreadSql::install(); }
    void viewsFollowTheRole_data();
    void viewsFollowTheRole();
    void adminManagesUsers();
    void roleChoiceFollowsTheSelectedUser();
    void longNamesDoNotWidenTheWindow();
    void namesAreShownAsPlainText();
    void noSqlRunsOnTheGuiThread();
};

void tst_UsersView::viewsFollowTheRole_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<QStringList>("views");
    QTest::newRow("annotator") << Role::Annotator << QStringList{QStringLiteral("Annotate")};
    QTest::newRow("reviewer") << Role::Reviewer
                              << QStringList{QStringLiteral("Annotate"), QStringLiteral("Review"),
                                             QStringLiteral("Datasets")};
    QTest::newRow("ml_engineer") << Role::MlEngineer
                                 << QStringList{
                                        QStringLiteral("Annotate"),  QStringLiteral("Review"),
                                        QStringLiteral("Datasets"),  QStringLiteral("Training"),
                                        QStringLiteral("Models"),    QStringLiteral("Images"),
                                        QStringLiteral("Serving"),   QStringLiteral("Monitoring"),
                                        QStringLiteral("Validation")};
    QTest::newRow("admin") << Role::Admin
                           << QStringList{QStringLiteral("Annotate"), QStringLiteral("Review"),
                                          QStringLiteral("Datasets"), QStringLiteral("Training"),
                                          QStringLiteral("Models"),   QStringLiteral("Images"),
                                          QStringLiteral("Serving"),  QStringLiteral("Monitoring"),
                                          QStringLiteral("Users"),    QStringLiteral("Validation"),
                                          QStringLiteral("Overview")};
    // ML QA and managers open on their own view, then the views they may read.
    QTest::newRow("ml_qa") << Role::MlQa
                           << QStringList{QStringLiteral("Validation"), QStringLiteral("Datasets"),
                                          QStringLiteral("Models"), QStringLiteral("Monitoring")};
    QTest::newRow("manager") << Role::Manager
                             << QStringList{QStringLiteral("Overview"), QStringLiteral("Datasets"),
                                            QStringLiteral("Models"), QStringLiteral("Monitoring"),
                                            QStringLiteral("Validation")};
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
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());

    view.createUser(QStringLiteral("ana"), QStringLiteral("short"), Role::Annotator);
    QTRY_VERIFY(!view.isBusy());
    QVERIFY2(message(view).contains(QStringLiteral("too short")), qPrintable(message(view)));
    QVERIFY(!storage::UserRepository(temp.workspace->db()).findByName(QStringLiteral("ana")));
    view.createUser(QStringLiteral("ana"), Password, Role::Annotator);
    QTRY_VERIFY(!view.isBusy());
    QVERIFY(message(view).contains(QStringLiteral("Created ana")));
    QCOMPARE(roleOf(temp, QStringLiteral("ana")), QStringLiteral("annotator"));

    clickUser(view, QStringLiteral("ana"));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        view.setSelectedRole(Role::Reviewer);
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(roleOf(temp, QStringLiteral("ana")), QStringLiteral("reviewer"));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QVERIFY(isDisabled(temp, QStringLiteral("ana")));
    QCOMPARE(annotation::AuthService(temp.workspace->db())
                 .login(QStringLiteral("ana"), Password, QStringLiteral("t"))
                 .status,
             annotation::LoginResult::Status::Disabled);

    // The last admin cannot lock everyone out.
    clickUser(view, QStringLiteral("ada"));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QVERIFY2(message(view).contains(QStringLiteral("last active admin")),
             qPrintable(message(view)));
    QVERIFY(!isDisabled(temp, QStringLiteral("ada")));
    {
        ModalDialogs dialogs({answer(QMessageBox::Yes)});
        view.setSelectedRole(Role::Annotator);
        QVERIFY(dialogs.allHandled());
    }
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(roleOf(temp, QStringLiteral("ada")), QStringLiteral("admin"));
}

void tst_UsersView::roleChoiceFollowsTheSelectedUser()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    auto *role = view.findChild<QComboBox *>(QStringLiteral("changeRole"));

    clickUser(view, QStringLiteral("rui"));
    QCOMPARE(role->currentText(), QStringLiteral("reviewer"));
    clickUser(view, QStringLiteral("eve"));
    QCOMPARE(role->currentText(), QStringLiteral("ml_engineer"));
    clickUser(view, QStringLiteral("ada"));
    QCOMPARE(role->currentText(), QStringLiteral("admin"));

    // Set role with the role shown changes nothing and asks nothing.
    clickUser(view, QStringLiteral("eve"));
    ModalDialogs dialogs({});
    click(view, QStringLiteral("setRole"));
    QCOMPARE(dialogs.handled(), 0);
    QCOMPARE(roleOf(temp, QStringLiteral("eve")), QStringLiteral("ml_engineer"));
    QVERIFY2(message(view).contains(QStringLiteral("already")), qPrintable(message(view)));
}

void tst_UsersView::longNamesDoNotWidenTheWindow()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    // Longer than the service allows today: names older rules let in, or the database holds.
    const QString longName = QString(200, QLatin1Char('w'));
    storage::UserRepository(temp.workspace->db())
        .add(longName, QStringLiteral("no hash"), QStringLiteral("annotator"), admin.name);
    ui::MainWindow window(*temp.workspace, admin);
    window.resize(900, 600);
    window.show();
    QVERIFY(window.showView(QStringLiteral("Users")));
    ui::UsersView &view = *window.findChild<ui::UsersView *>();
    view.reload();
    QTRY_VERIFY(!view.isBusy());
    clickUser(view, longName);
    click(view, QStringLiteral("setRole")); // "<name> is annotator already"
    // An error quoting the whole name as one word.
    typeInto(&view, QStringLiteral("newName"), longName);
    typeInto(&view, QStringLiteral("newPassword"), Password);
    typeInto(&view, QStringLiteral("newPasswordRepeat"), Password);
    click(view, QStringLiteral("createUser"));
    QTRY_VERIFY(!view.isBusy());
    QVERIFY2(message(view).contains(longName), qPrintable(message(view)));
    // Each layout level posts its request to the next one up.
    for (int level = 0; level < 10; ++level) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    }

    QVERIFY2(window.width() <= 1000, qPrintable(QString::number(window.width())));
    QVERIFY2(window.minimumSizeHint().width() < 1000,
             qPrintable(QString::number(window.minimumSizeHint().width())));
    QVERIFY2(view.minimumSizeHint().width() < 1000,
             qPrintable(QString::number(view.minimumSizeHint().width())));

    auto *table = view.findChild<QTableView *>(QStringLiteral("users"));
    const QModelIndex cell = table->currentIndex().siblingAtColumn(0);
    QVERIFY(table->visualRect(cell).width() < table->fontMetrics().horizontalAdvance(longName));
    QCOMPARE(table->textElideMode(), Qt::ElideRight);
    QCOMPARE(cell.data(Qt::ToolTipRole).toString(), longName);
}

void tst_UsersView::namesAreShownAsPlainText()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    const QString markup = QStringLiteral("<b>bold</b>&amp;");
    storage::UserRepository(temp.workspace->db())
        .add(markup, QStringLiteral("no hash"), QStringLiteral("reviewer"), admin.name);
    ui::UsersView view(usersOf(temp), admin);
    view.show();
    QTRY_VERIFY(!view.isBusy());
    clickUser(view, markup);

    click(view, QStringLiteral("setRole"));
    const auto *label = view.findChild<QLabel *>(QStringLiteral("message"));
    QCOMPARE(label->textFormat(), Qt::PlainText);
    QVERIFY2(label->text().startsWith(markup), qPrintable(label->text()));

    QString question;
    Qt::TextFormat format = Qt::AutoText;
    {
        ModalDialogs dialogs({answer(QMessageBox::No, &question, &format)});
        click(view, QStringLiteral("toggleDisabled"));
        QVERIFY(dialogs.allHandled());
    }
    QCOMPARE(format, Qt::PlainText);
    QVERIFY2(question.contains(markup), qPrintable(question));
}

// Listing, creating, changing a role, resetting a password and disabling all run on the view's
// worker: the GUI thread runs no SQL, and the workspace holds every change.
void tst_UsersView::noSqlRunsOnTheGuiThread()
{
    testing::TempWorkspace temp;
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator, Password);
    const QString newPassword = QStringLiteral("brand new pass");
    QStringList onGuiThread;
    {
        const testing::GuiThreadSql sql;
        ui::UsersView view(usersOf(temp), admin);
        view.show();
        QTRY_VERIFY(!view.isBusy());
        view.createUser(QStringLiteral("cem"), Password, Role::Reviewer);
        QTRY_VERIFY(!view.isBusy());
        QCOMPARE(message(view), QStringLiteral("Created cem (reviewer)."));

        clickUser(view, QStringLiteral("ana"));
        {
            ModalDialogs dialogs({answer(QMessageBox::Yes)});
            view.setSelectedRole(Role::Reviewer);
            QVERIFY(dialogs.allHandled());
        }
        QTRY_VERIFY(!view.isBusy());
        {
            ModalDialogs dialogs({answer(QMessageBox::Yes), [&](QWidget *dialog) {
                                      typeInto(dialog, QStringLiteral("password"), newPassword);
                                      typeInto(dialog, QStringLiteral("passwordRepeat"),
                                               newPassword);
                                      clickOk(dialog);
                                  }});
            click(view, QStringLiteral("resetPassword"));
            QVERIFY(dialogs.allHandled());
        }
        QTRY_VERIFY(!view.isBusy());
        QCOMPARE(message(view), QStringLiteral("Set a new password for ana."));

        clickUser(view, QStringLiteral("cem"));
        {
            ModalDialogs dialogs({answer(QMessageBox::Yes)});
            click(view, QStringLiteral("toggleDisabled"));
            QVERIFY(dialogs.allHandled());
        }
        QTRY_VERIFY(!view.isBusy());
        QCOMPARE(message(view), QStringLiteral("cem can no longer log in."));
        onGuiThread = sql.statements();
    }
    QVERIFY2(onGuiThread.isEmpty(), qPrintable(onGuiThread.join(QLatin1Char('\n'))));
    QCOMPARE(roleOf(temp, QStringLiteral("ana")), QStringLiteral("reviewer"));
    QVERIFY(canLogIn(temp, QStringLiteral("ana"), newPassword));
    QCOMPARE(roleOf(temp, QStringLiteral("cem")), QStringLiteral("reviewer"));
    QVERIFY(isDisabled(temp, QStringLiteral("cem")));
}

QTEST_MAIN(tst_UsersView)
#include "tst_usersview.moc"
