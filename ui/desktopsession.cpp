#include "ui/desktopsession.h"

#include "annotation/authservice.h"
#include "annotation/userservice.h"
#include "storage/storageerror.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "storage/workspacelocations.h"
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

namespace digitdesk::ui {
namespace {

const QString LastWorkspaceKey = QStringLiteral("workspace/last");
constexpr qint64 TouchEveryMs = 60'000;

} // namespace

DesktopSession::DesktopSession(QString workspaceOption, QObject *parent)
    : QObject(parent), m_workspaceOption(std::move(workspaceOption))
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &DesktopSession::handleIdle);
}

DesktopSession::~DesktopSession()
{
    endSession();
}

bool DesktopSession::start()
{
    if (!openWorkspace() || !ensureFirstAdmin()) {
        return false;
    }
    qApp->installEventFilter(this);
    return login();
}

bool DesktopSession::openWorkspace()
{
    QString folder = m_workspaceOption;
    if (folder.isEmpty()) {
        folder = QSettings().value(LastWorkspaceKey).toString();
    }
    QString problem;
    bool create = false;
    for (;;) {
        if (!folder.isEmpty()) {
            try {
                m_workspace =
                    create ? storage::Workspace::create(folder) : storage::Workspace::open(folder);
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

bool DesktopSession::login(const QString &userName)
{
    LoginDialog dialog(
        [this](const QString &name, const QString &password) {
            return m_auth->login(name, password, QStringLiteral("gui"));
        },
        m_workspace->root());
    if (!userName.isEmpty()) {
        dialog.setUserName(userName);
    }
    if (dialog.exec() != QDialog::Accepted) {
        QApplication::quit();
        return false;
    }
    m_who = dialog.principal();
    m_window = std::make_unique<MainWindow>(*m_workspace, m_who);
    connect(m_window.get(), &MainWindow::logoutRequested, this, &DesktopSession::handleLogout,
            Qt::QueuedConnection);
    m_window->show();
    m_sinceTouch.start();
    m_idleTimer.start(m_auth->idleTimeoutSeconds() * 1000);
    return true;
}

bool DesktopSession::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::Wheel:
        if (m_window && m_who.sessionId != 0) {
            m_idleTimer.start();
            if (m_sinceTouch.elapsed() > TouchEveryMs) {
                m_sinceTouch.restart();
                m_auth->touch(m_who);
            }
        }
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

void DesktopSession::endSession()
{
    m_idleTimer.stop();
    if (m_window) {
        m_window->hide();
        m_window.reset();
    }
}

void DesktopSession::handleLogout()
{
    const QString name = m_who.name;
    endSession();
    m_auth->logout(m_who);
    m_who = {};
    login(name);
}

void DesktopSession::handleIdle()
{
    // Lock, do not log out: the window and the image on screen stay as they were.
    m_idleTimer.stop();
    LockDialog lock(
        m_who.name, m_auth->idleTimeoutSeconds() / 60,
        [this](const QString &password) { return m_auth->unlock(m_who, password); },
        m_window.get());
    if (lock.exec() == LockDialog::Unlocked) {
        m_sinceTouch.restart();
        m_idleTimer.start();
        return;
    }
    handleLogout();
}

} // namespace digitdesk::ui
