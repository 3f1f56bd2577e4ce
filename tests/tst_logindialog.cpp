#include "annotation/authservice.h"
#include "storage/sessionrepository.h"
#include "tests/support/testdata.h"
#include "ui/lockdialog.h"
#include "ui/logindialog.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using namespace digitdesk;

class tst_LoginDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void rightPasswordLogsIn();
    void wrongPasswordShowsWhyAndStaysOpen();
    void rateLimitDisablesTheButton();
    void cancelRejects();
    void lockKeepsTheSessionAndAsksForThePassword();

private:
    std::unique_ptr<testing::TempWorkspace> m_temp;
    std::unique_ptr<annotation::AuthService> m_auth;
    std::unique_ptr<ui::LoginDialog> m_dialog;

    void type(const QString &name, const QString &password)
    {
        auto *nameEdit = m_dialog->findChild<QLineEdit *>(QStringLiteral("userName"));
        auto *passwordEdit = m_dialog->findChild<QLineEdit *>(QStringLiteral("password"));
        nameEdit->clear();
        QTest::keyClicks(nameEdit, name);
        QTest::keyClicks(passwordEdit, password);
        QTest::keyClick(passwordEdit, Qt::Key_Return);
    }
    QString message() const
    {
        return m_dialog->findChild<QLabel *>(QStringLiteral("message"))->text();
    }
};

void tst_LoginDialog::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    testing::addUser(*m_temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    m_auth = std::make_unique<annotation::AuthService>(m_temp->workspace->db());
    m_dialog = std::make_unique<ui::LoginDialog>(
        [this](const QString &name, const QString &password) {
            return m_auth->login(name, password, QStringLiteral("gui-test"));
        },
        m_temp->workspace->root());
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
}

void tst_LoginDialog::cleanup()
{
    m_dialog.reset();
    m_auth.reset();
    m_temp.reset();
}

void tst_LoginDialog::rightPasswordLogsIn()
{
    type(QStringLiteral("ana"), QStringLiteral("correct horse"));
    QCOMPARE(m_dialog->result(), QDialog::Accepted);
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(m_dialog->principal().name, QStringLiteral("ana"));
    const auto session =
        storage::SessionRepository(m_temp->workspace->db()).find(m_dialog->principal().sessionId);
    QVERIFY(session.has_value());
    QCOMPARE(session->client, QStringLiteral("gui-test"));
}

void tst_LoginDialog::wrongPasswordShowsWhyAndStaysOpen()
{
    type(QStringLiteral("ana"), QStringLiteral("wrong horse"));
    QVERIFY(m_dialog->isVisible());
    QVERIFY2(message().contains(QStringLiteral("Wrong user name or password")),
             qPrintable(message()));
    // The password field is cleared for the next try; the name stays.
    QCOMPARE(m_dialog->findChild<QLineEdit *>(QStringLiteral("password"))->text(), QString());
    QCOMPARE(m_dialog->findChild<QLineEdit *>(QStringLiteral("userName"))->text(),
             QStringLiteral("ana"));
    type(QString(), QString());
    QVERIFY(message().contains(QStringLiteral("Enter your user name")));
}

void tst_LoginDialog::rateLimitDisablesTheButton()
{
    for (int i = 0; i < annotation::AuthService::FreeAttempts; ++i) {
        type(QStringLiteral("ana"), QStringLiteral("guess %1").arg(i));
    }
    type(QStringLiteral("ana"), QStringLiteral("correct horse"));
    QVERIFY(m_dialog->isVisible());
    QVERIFY2(message().contains(QStringLiteral("Too many failed logins")), qPrintable(message()));
    auto *login = m_dialog->findChild<QPushButton *>(QStringLiteral("login"));
    QVERIFY(!login->isEnabled());
    // The lock is 2 s after three failures; the button comes back by itself.
    QTRY_VERIFY_WITH_TIMEOUT(login->isEnabled(), 5000);
    type(QStringLiteral("ana"), QStringLiteral("correct horse"));
    QCOMPARE(m_dialog->result(), QDialog::Accepted);
}

void tst_LoginDialog::cancelRejects()
{
    QTest::keyClick(m_dialog.get(), Qt::Key_Escape);
    QCOMPARE(m_dialog->result(), QDialog::Rejected);
}

void tst_LoginDialog::lockKeepsTheSessionAndAsksForThePassword()
{
    const auto who =
        m_auth->login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    ui::LockDialog lock(who.name, 15,
                        [&](const QString &password) { return m_auth->unlock(who, password); });
    lock.show();
    auto *password = lock.findChild<QLineEdit *>(QStringLiteral("password"));
    QTest::keyClicks(password, QStringLiteral("nope"));
    QTest::keyClick(password, Qt::Key_Return);
    QVERIFY(lock.isVisible());
    QCOMPARE(lock.findChild<QLabel *>(QStringLiteral("message"))->text(),
             QStringLiteral("Wrong password."));
    QTest::keyClicks(password, QStringLiteral("correct horse"));
    QTest::keyClick(password, Qt::Key_Return);
    QCOMPARE(lock.result(), int(ui::LockDialog::Unlocked));
    // The same session goes on; nothing was closed.
    const auto session = storage::SessionRepository(m_temp->workspace->db()).find(who.sessionId);
    QVERIFY(!session->endedAt.isValid());
    m_auth->logout(who);
    QCOMPARE(m_auth->unlock(who, QStringLiteral("correct horse")).status,
             annotation::LoginResult::Status::SessionEnded);
}

QTEST_MAIN(tst_LoginDialog)
#include "tst_logindialog.moc"
