#include "ui/desktopsession.h"

#include "annotation/accesscontrol.h"
#include "annotation/authservice.h"
#include "annotation/userservice.h"
#include "storage/storageerror.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "storage/workspacelocations.h"
#include "ui/annotateview.h"
#include "ui/lockdialog.h"
#include "ui/logindialog.h"
#include "ui/mainwindow.h"
#include "ui/workspacechooserdialog.h"

#include <QApplication>
#include <QDir>
#include <QEvent>
#include <QInputDialog>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace digitdesk::ui {
namespace {

const QString LastWorkspaceKey = QStringLiteral("workspace/last");
constexpr qint64 MaxTouchEveryMs = 60'000;

} // namespace

DesktopSession::DesktopSession(QString workspaceOption, QObject *parent)
    : QObject(parent), m_workspaceOption(std::move(workspaceOption))
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &DesktopSession::handleIdle);
    // Ctrl+Q, the window's close button and the session manager all end up here.
    connect(qApp, &QCoreApplication::aboutToQuit, this,
            [this] { endSession(QStringLiteral("quit")); });
}

DesktopSession::~DesktopSession()
{
    endSession(QStringLiteral("quit"));
}

LockDialog *DesktopSession::lockDialog() const
{
    return m_lock.data();
}

bool DesktopSession::start()
{
    if (!openWorkspace() || !ensureFirstAdmin()) {
        return false;
    }
    qApp->installEventFilter(this);
    return login();
}

bool DesktopSession::openWorkspace(bool choose, QString folder, bool create)
{
    if (folder.isEmpty() && !choose) {
        folder = m_workspaceOption;
    }
    if (folder.isEmpty() && !choose) {
        folder = QSettings().value(LastWorkspaceKey).toString();
    }
    QString problem;
    for (;;) {
        if (!folder.isEmpty()) {
            try {
                m_workspace = create ? storage::Workspace::create(
                                           folder, storage::Workspace::databaseFromEnvironment())
                                     : storage::Workspace::open(folder);
                QSettings().setValue(LastWorkspaceKey, m_workspace->root());
                m_auth = std::make_unique<annotation::AuthService>(m_workspace->db());
                return true;
            } catch (const storage::StorageError &error) {
                problem = error.message();
            }
        }
        WorkspaceChooserDialog chooser(storage::defaultDemoWorkspaceFolder(), problem);
        if (chooser.exec() != QDialog::Accepted) {
            return false;
        }
        folder = chooser.folder();
        create = chooser.choice() == WorkspaceChooserDialog::Choice::Create;
    }
}

bool DesktopSession::ensureFirstAdmin()
{
    if (storage::UserRepository(m_workspace->db()).count() > 0) {
        return true;
    }
    // A new workspace has no users: whoever has just created it makes the first admin.
    for (;;) {
        bool ok = false;
        const QString name =
            QInputDialog::getText(nullptr, tr("First administrator"),
                                  tr("This workspace has no users yet. Name of the first admin:"),
                                  QLineEdit::Normal, qEnvironmentVariable("USER"), &ok);
        if (!ok) {
            return false;
        }
        const QString password =
            QInputDialog::getText(nullptr, tr("First administrator"),
                                  tr("Password for %1 (at least %2 characters):")
                                      .arg(name)
                                      .arg(annotation::UserService::MinPasswordLength),
                                  QLineEdit::Password, {}, &ok);
        if (!ok) {
            return false;
        }
        try {
            annotation::UserService(m_workspace->db())
                .addUser(annotation::Principal::localOperator(), name.trimmed(), password,
                         annotation::Role::Admin);
            return true;
        } catch (const std::exception &error) {
            QMessageBox::warning(nullptr, tr("First administrator"),
                                 QString::fromUtf8(error.what()));
        }
    }
}

bool DesktopSession::login(const QString &userName, const QString &message)
{
    LoginDialog dialog(
        [this](const QString &name, const QString &password) {
            return m_auth->login(name, password, QStringLiteral("gui"));
        },
        m_workspace->root());
    if (!userName.isEmpty()) {
        dialog.setUserName(userName);
    }
    dialog.setMessage(message);
    if (dialog.exec() != QDialog::Accepted) {
        QApplication::quit();
        return false;
    }
    m_who = dialog.principal();
    m_pendingRole.reset();
    showWindow();
    m_sinceTouch.start();
    const int idleMs = m_auth->idleTimeoutSeconds() * 1000;
    // Activity reaches the database well within the timeout, so a person at work is never
    // taken for idle by the session's own check.
    m_touchEveryMs = std::clamp<qint64>(idleMs / 4, 1000, MaxTouchEveryMs);
    m_idleTimer.start(idleMs);
    return true;
}

void DesktopSession::showWindow()
{
    m_window = std::make_unique<MainWindow>(*m_workspace, m_who);
    // Queued: each of these deletes the window whose signal it is.
    connect(m_window.get(), &MainWindow::logoutRequested, this, &DesktopSession::handleLogout,
            Qt::QueuedConnection);
    connect(m_window.get(), &MainWindow::sessionEnded, this, &DesktopSession::handleSessionEnded,
            Qt::QueuedConnection);
    connect(m_window.get(), &MainWindow::roleChanged, this, &DesktopSession::handleRoleChanged,
            Qt::QueuedConnection);
    connect(m_window.get(), &MainWindow::switchWorkspaceRequested, this,
            &DesktopSession::handleSwitchWorkspace, Qt::QueuedConnection);
    connect(m_window.get(), &MainWindow::appearanceChanged, this,
            &DesktopSession::handleAppearanceChanged, Qt::QueuedConnection);
    m_window->show();
}

bool DesktopSession::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::Wheel:
        // Typing into the lock screen is not activity of the session it locks.
        if (m_window && m_who.sessionId != 0 && !m_lock) {
            m_idleTimer.start();
            if (m_sinceTouch.elapsed() > m_touchEveryMs) {
                m_sinceTouch.restart();
                // Closed meanwhile (idle across a suspend, or ended elsewhere): log in again
                // rather than go on working under a session that is over.
                if (!m_auth->touch(m_who)) {
                    const QString why =
                        annotation::AccessControl(m_workspace->db()).standing(m_who).ended;
                    QMetaObject::invokeMethod(
                        this,
                        [this, why] {
                            handleSessionEnded(why.isEmpty() ? tr("it was idle past the timeout")
                                                             : why);
                        },
                        Qt::QueuedConnection);
                }
            }
        }
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

void DesktopSession::endSession(const QString &reason)
{
    m_idleTimer.stop();
    if (m_lock) {
        m_lock->disconnect(this);
    }
    if (m_window) {
        m_window->hide();
        m_window.reset(); // the lock dialog, a child of the window, goes with it
    }
    if (m_auth && m_who.sessionId != 0) {
        try {
            m_auth->logout(m_who, reason);
        } catch (const std::exception &error) {
            qWarning("could not end login session %lld: %s", m_who.sessionId, error.what());
        }
    }
    m_who = {};
}

bool DesktopSession::closeOtherDialogs()
{
    // A dialog running its own event loop (exec) belongs to the window that is about to go:
    // it is closed first, and the logout waits until that loop has returned.
    bool closed = false;
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        auto *dialog = qobject_cast<QDialog *>(widget);
        if (dialog && dialog->isVisible() && dialog != m_lock &&
            qobject_cast<LoginDialog *>(dialog) == nullptr) {
            dialog->done(QDialog::Rejected);
            closed = true;
        }
    }
    return closed;
}

void DesktopSession::handleSessionEnded(const QString &why)
{
    if (!m_window) {
        return;
    }
    // Said on the login screen, not in a box of its own: the window is gone at once.
    logoutAndLogin(tr("Your session was ended: %1. Log in again to go on; nothing that was"
                      " shown as saved is lost.")
                       .arg(why));
}

void DesktopSession::handleRoleChanged(annotation::Role role)
{
    if (!m_window) {
        return;
    }
    if (m_lock) {
        m_pendingRole = role;
        return;
    }
    if (closeOtherDialogs()) {
        QMetaObject::invokeMethod(
            this, [this, role] { handleRoleChanged(role); }, Qt::QueuedConnection);
        return;
    }
    // The same session under the new role: the window is built again with the views the role
    // may use (the services would refuse the others anyway).
    m_who.role = role;
    m_window->hide();
    m_window.reset();
    showWindow();
    m_window->statusBar()->showMessage(
        tr("An admin changed your role to %1: the views now match it.")
            .arg(annotation::toString(role)),
        30000);
}

void DesktopSession::handleLogout()
{
    logoutAndLogin({});
}

void DesktopSession::handleSwitchWorkspace()
{
    if (closeOtherDialogs()) {
        QMetaObject::invokeMethod(this, &DesktopSession::handleSwitchWorkspace,
                                  Qt::QueuedConnection);
        return;
    }
    // Chosen first: a person who cancels the chooser keeps working where they were.
    WorkspaceChooserDialog chooser(storage::defaultDemoWorkspaceFolder(), {});
    if (chooser.exec() != QDialog::Accepted) {
        return;
    }
    // The session ends as a logout does (leases given back) before the workspace is closed.
    endSession(QStringLiteral("switch workspace"));
    m_auth.reset();
    m_workspace.reset();
    if (!openWorkspace(true, chooser.folder(),
                       chooser.choice() == WorkspaceChooserDialog::Choice::Create) ||
        !ensureFirstAdmin()) {
        QApplication::quit();
        return;
    }
    login();
}

void DesktopSession::handleAppearanceChanged()
{
    if (!m_window || m_lock) {
        return;
    }
    // Rebuilding the window would stop or wait for work under way: the palette is applied
    // already, and the views take the rest of their colours at the next login.
    if (const QString running = m_window->workInProgress(); !running.isEmpty()) {
        m_window->statusBar()->showMessage(
            tr("Appearance changed while %1 is going: the views take all their new colours at "
               "your next login.")
                .arg(running),
            30000);
        return;
    }
    // The same session; the window is built again so that every view takes its colours from
    // the new palette, and reopens where it was (WindowState).
    m_window->hide();
    m_window.reset();
    showWindow();
}

void DesktopSession::logoutAndLogin(const QString &message)
{
    if (closeOtherDialogs()) {
        QMetaObject::invokeMethod(
            this, [this, message] { logoutAndLogin(message); }, Qt::QueuedConnection);
        return;
    }
    const QString name = m_who.name;
    endSession(QStringLiteral("logout"));
    login(name, message);
}

void DesktopSession::handleIdle()
{
    // Lock, do not log out: the window and the image on screen stay as they were.
    if (!m_window || m_lock) {
        return;
    }
    m_idleTimer.stop();
    const annotation::Principal who = m_who;
    m_lock = new LockDialog(
        m_who.name, std::max(1, m_auth->idleTimeoutSeconds() / 60),
        [this, who](const QString &password) { return m_auth->unlock(who, password); },
        m_window.get());
    m_lock->setObjectName(QStringLiteral("lockDialog"));
    connect(m_lock, &QDialog::finished, this, &DesktopSession::handleLockFinished);
    m_lock->open();
}

void DesktopSession::handleLockFinished(int result)
{
    // The dialog is deleted later, never inside its own signal; logging out deletes the
    // window it belongs to, so that happens once the dialog's signal has returned.
    LockDialog *lock = m_lock;
    m_lock = nullptr;
    if (lock) {
        lock->deleteLater();
    }
    if (result == LockDialog::Unlocked) {
        m_sinceTouch.restart();
        m_idleTimer.start();
        if (m_pendingRole) {
            const annotation::Role role = *m_pendingRole;
            m_pendingRole.reset();
            QMetaObject::invokeMethod(
                this, [this, role] { handleRoleChanged(role); }, Qt::QueuedConnection);
            return;
        }
        // Leases may have run out while the screen was locked: take them again.
        // (ML QA and managers have no Annotate view, and hold no leases.)
        if (m_window && m_window->annotateView()) {
            m_window->annotateView()->renewLeases();
        }
        return;
    }
    QMetaObject::invokeMethod(this, &DesktopSession::handleLogout, Qt::QueuedConnection);
}

} // namespace digitdesk::ui
