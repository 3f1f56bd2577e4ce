#pragma once

#include "annotation/authservice.h"

#include <QDateTime>
#include <QDialog>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace digitdesk::ui {

// Covers the main window after the idle timeout: the password unlocks it where the person
// left it (the image on screen stays theirs); "Log out" ends the session instead. Wrong
// passwords are throttled like failed logins.
class LockDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LockDialog)

public:
    enum Result
    {
        LoggedOut = QDialog::Rejected,
        Unlocked = QDialog::Accepted,
        SessionEnded // the session was ended meanwhile: log in again
    };
    using Unlock = std::function<annotation::LoginResult(const QString &password)>;

    LockDialog(const QString &userName, int idleMinutes, Unlock unlock, QWidget *parent = nullptr);

public Q_SLOTS:
    void reject() override;

private:
    void handleUnlock();
    void handleRetryTick();

    Unlock m_unlock;
    QLineEdit *m_password;
    QLabel *m_message;
    QPushButton *m_unlockButton;
    QTimer *m_retryTimer;
    QDateTime m_retryAfter;
};

} // namespace digitdesk::ui
