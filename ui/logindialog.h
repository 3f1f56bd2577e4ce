#pragma once

#include "annotation/authservice.h"

#include <QDialog>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace digitdesk::ui {

// Asks for a user name and password and tries them through the function it is given (in the
// application, AuthService::login); stays open with the reason shown until a login succeeds.
class LoginDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginDialog)

public:
    using Attempt = std::function<annotation::LoginResult(const QString &, const QString &)>;

    LoginDialog(Attempt attempt, const QString &workspaceName, QWidget *parent = nullptr);

    annotation::Principal principal() const { return m_principal; }
    void setUserName(const QString &name);
    // Why the person is here again ("your session was ended: the account was disabled").
    void setMessage(const QString &message);

private:
    void handleLogin();
    void handleRetryTick();

    Attempt m_attempt;
    annotation::Principal m_principal;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QLabel *m_message;
    QPushButton *m_login;
    QTimer *m_retryTimer;
    QDateTime m_retryAfter;
};

} // namespace digitdesk::ui
