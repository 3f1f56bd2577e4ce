#pragma once

#include <QDialog>

#include <functional>

class QLabel;
class QLineEdit;

namespace digitdesk::ui {

// Covers the main window after the idle timeout: the password unlocks it where the person
// left it (the image on screen stays theirs); "Log out" ends the session instead.
class LockDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LockDialog)

public:
    enum Result
    {
        LoggedOut = QDialog::Rejected,
        Unlocked = QDialog::Accepted
    };

    LockDialog(const QString &userName, int idleMinutes,
               std::function<bool(const QString &)> unlock, QWidget *parent = nullptr);

private:
    void handleUnlock();

    std::function<bool(const QString &)> m_unlock;
    QLineEdit *m_password;
    QLabel *m_message;
};

} // namespace digitdesk::ui
