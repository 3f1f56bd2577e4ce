#pragma once

#include "annotation/principal.h"
#include "annotation/role.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

namespace digitdesk::storage {
class Workspace;
}
namespace digitdesk::annotation {
class AuthService;
}

namespace digitdesk::ui {

class LockDialog;
class MainWindow;

// The GUI's life: choose or create a workspace, log in, the main window; go idle and the
// screen locks (the same session resumes with the password); log out and the login comes
// back; switch workspace and the chooser comes back, then the other workspace's login; quit
// and the session ends. Each of these gives back the user's leases. The last workspace is
// remembered in QSettings.
class DesktopSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopSession)

public:
    explicit DesktopSession(QString workspaceOption, QObject *parent = nullptr);
    ~DesktopSession() override;

    // Returns false when the person quit before reaching the main window.
    bool start();
    MainWindow *window() const { return m_window.get(); }
    LockDialog *lockDialog() const;
    const annotation::Principal &principal() const { return m_who; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // `choose`: show the chooser first, whatever the command line or the last workspace say.
    // The folder given (created when `create`), else the --workspace option or the last one;
    // the chooser when there is none or it cannot be opened (always first when `choose`).
    bool openWorkspace(bool choose = false, QString folder = {}, bool create = false);
    bool ensureFirstAdmin();
    // `message` says why the login screen is back, when it is.
    bool login(const QString &userName = {}, const QString &message = {});
    void showWindow();
    void handleLogout();
    void handleSwitchWorkspace();
    void handleAppearanceChanged();
    void logoutAndLogin(const QString &message);
    void handleIdle();
    void handleLockFinished(int result);
    void handleSessionEnded(const QString &why);
    void handleRoleChanged(annotation::Role role);
    bool closeOtherDialogs();
    void endSession(const QString &reason);

    QString m_workspaceOption;
    std::unique_ptr<storage::Workspace> m_workspace;
    std::unique_ptr<annotation::AuthService> m_auth;
    std::unique_ptr<MainWindow> m_window;
    annotation::Principal m_who;
    QTimer m_idleTimer;
    QElapsedTimer m_sinceTouch;
    qint64 m_touchEveryMs = 60'000;
    QPointer<LockDialog> m_lock;
    // A role change that came while the screen was locked, applied once it is unlocked.
    std::optional<annotation::Role> m_pendingRole;
};

} // namespace digitdesk::ui
