#pragma once

#include "annotation/principal.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

namespace digitdesk::storage {
class Workspace;
}
namespace digitdesk::annotation {
class AuthService;
}

namespace digitdesk::ui {

class MainWindow;

// The GUI's life: choose or create a workspace, log in, the main window; log out or go idle
// and the login comes back. The last workspace is remembered in QSettings.
class DesktopSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopSession)

public:
    explicit DesktopSession(QString workspaceOption, QObject *parent = nullptr);
    ~DesktopSession() override;

    // Returns false when the person quit before reaching the main window.
    bool start();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool openWorkspace();
    bool ensureFirstAdmin();
    bool login(const QString &userName = {});
    void handleLogout();
    void handleIdle();
    void endSession();

    QString m_workspaceOption;
    std::unique_ptr<storage::Workspace> m_workspace;
    std::unique_ptr<annotation::AuthService> m_auth;
    std::unique_ptr<MainWindow> m_window;
    annotation::Principal m_who;
    QTimer m_idleTimer;
    QElapsedTimer m_sinceTouch;
};

} // namespace digitdesk::ui
