// MainWindow's menus, status bar, title and remembered state (mainwindow.cpp builds the views).
#include "ui/mainwindow.h"

#include "annotation/permission.h"
#include "storage/workspace.h"
#include "ui/aboutdialog.h"
#include "ui/annotateview.h"
#include "ui/appearance.h"
#include "ui/keymap.h"
#include "ui/keysettingsdialog.h"
#include "ui/windowstate.h"

#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QStackedWidget>
#include <QStatusBar>

namespace digitdesk::ui {
namespace {

// Keeps both ends of a long name: workspaces often differ only in their last characters.
QString elided(const QString &text, qsizetype maxLength)
{
    if (text.size() <= maxLength) {
        return text;
    }
    const qsizetype head = (maxLength - 1) / 2;
    const qsizetype tail = maxLength - 1 - head;
    return text.left(head) + QChar(0x2026) + text.right(tail);
}

QString folderName(const QString &root)
{
    const QString name = QDir(root).dirName();
    return name.isEmpty() ? root : name;
}

} // namespace

void MainWindow::addMenus()
{
    setWindowTitle(tr("DigitDesk — %1 — %2 (%3)")
                       .arg(elided(folderName(m_workspace.root()), 48), elided(m_who.name, 32),
                            annotation::toString(m_who.role)));
    setWindowFilePath(m_workspace.root());

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *importFiles =
        file->addAction(tr("&Import files…"), this, &MainWindow::handleImportFiles);
    importFiles->setShortcut(QKeySequence(tr("Ctrl+I")));
    QAction *importFolder =
        file->addAction(tr("Import &folder…"), this, &MainWindow::handleImportFolder);
    importFolder->setShortcut(QKeySequence(tr("Ctrl+Shift+I")));
    // Hidden for roles that may not import; the importer checks the role again regardless.
    const bool mayImport = annotation::isAllowed(m_who.role, annotation::Action::ImportImages);
    importFiles->setVisible(mayImport);
    importFolder->setVisible(mayImport);
    file->addSeparator();
    if (m_annotate != nullptr) {
        file->addAction(tr("&Keys…"), this, [this] {
            KeySettingsDialog dialog(this);
            if (dialog.exec() == QDialog::Accepted) {
                runGuarded([this] { m_annotate->setKeyMap(KeyMap::load()); });
            }
        });
        file->addSeparator();
    }
    QAction *switchWorkspace =
        file->addAction(tr("S&witch workspace…"), this, &MainWindow::switchWorkspaceRequested);
    switchWorkspace->setObjectName(QStringLiteral("switchWorkspace"));
    QAction *logout = file->addAction(tr("&Log out"), this, &MainWindow::logoutRequested);
    logout->setObjectName(QStringLiteral("logout"));
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);

    // Every view one key away: Ctrl+1 is the first in the list, Ctrl+2 the next, ..., Ctrl+0
    // the tenth; an eleventh (the admin's Overview) is in the menu only.
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int row = 0; row < m_nav->count(); ++row) {
        QAction *show = view->addAction(m_nav->item(row)->text(), this,
                                        [this, row] { m_nav->setCurrentRow(row); });
        if (row < 10) {
            show->setShortcut(QKeySequence(
                Qt::CTRL | static_cast<Qt::Key>(row < 9 ? Qt::Key_1 + row : Qt::Key_0)));
        }
    }
    view->addSeparator();
    addAppearanceMenu(view);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About DigitDesk"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("about"));
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::addAppearanceMenu(QMenu *view)
{
    QMenu *appearance = view->addMenu(tr("&Appearance"));
    appearance->setObjectName(QStringLiteral("appearanceMenu"));
    auto *group = new QActionGroup(appearance);
    Appearance forced = Appearance::FollowDesktop;
    const bool fromEnvironment = appearanceFromEnvironment(&forced);
    const Appearance current = fromEnvironment ? forced : savedAppearance();
    const std::pair<Appearance, QString> choices[] = {
        {Appearance::FollowDesktop, tr("Follow the &desktop")},
        {Appearance::Light, tr("&Light")},
        {Appearance::Dark, tr("Dar&k")}};
    for (const auto &[choice, text] : choices) {
        QAction *action = appearance->addAction(text);
        action->setObjectName(QStringLiteral("appearance_%1").arg(toString(choice)));
        action->setCheckable(true);
        action->setChecked(choice == current);
        action->setEnabled(!fromEnvironment);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, choice = choice] {
            if (choice == savedAppearance()) {
                return;
            }
            saveAppearance(choice);
            applyAppearance(choice);
            Q_EMIT appearanceChanged();
        });
    }
    if (fromEnvironment) {
        appearance->addSeparator();
        appearance
            ->addAction(tr("Set by %1=%2")
                            .arg(QString::fromLatin1(AppearanceVariable),
                                 qEnvironmentVariable(AppearanceVariable)))
            ->setEnabled(false);
    }
}

void MainWindow::addStatusLabels()
{
    auto *workspaceLabel = new QLabel(elided(folderName(m_workspace.root()), 40), this);
    workspaceLabel->setObjectName(QStringLiteral("currentWorkspace"));
    workspaceLabel->setTextFormat(Qt::PlainText);
    workspaceLabel->setToolTip(QDir::toNativeSeparators(m_workspace.root()));
    statusBar()->addPermanentWidget(workspaceLabel);

    auto *userLabel =
        new QLabel(tr("%1 (%2)").arg(m_who.name, annotation::toString(m_who.role)), this);
    userLabel->setTextFormat(Qt::PlainText);
    // A long name is cut in the middle rather than making the window wider than the screen.
    userLabel->setText(
        userLabel->fontMetrics().elidedText(userLabel->text(), Qt::ElideMiddle, 320));
    userLabel->setToolTip(tr("%1 (%2)").arg(m_who.name, annotation::toString(m_who.role)));
    userLabel->setObjectName(QStringLiteral("currentUser"));
    statusBar()->addPermanentWidget(userLabel);
}

void MainWindow::showAbout()
{
    if (auto *open = findChild<AboutDialog *>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *about = new AboutDialog(m_workspace.databasePath(), this);
    about->setAttribute(Qt::WA_DeleteOnClose);
    about->open();
}

void MainWindow::restoreWindowState()
{
    for (int row = 0; row < m_nav->count(); ++row) {
        if (QWidget *page = m_views->widget(row)) {
            nameSplitters(*page, m_nav->item(row)->text());
        }
    }
    WindowState state(m_workspace.root(), m_who.name);
    state.load();
    if (state.isEmpty()) {
        return;
    }
    restoreGeometry(state.geometry());
    state.restoreSplitters(*m_views);
    if (!state.view().isEmpty()) {
        showView(state.view()); // a view the role no longer has is simply not shown
    }
}

void MainWindow::saveWindowState() const
{
    WindowState state(m_workspace.root(), m_who.name);
    state.load();
    state.capture(*this, *m_views, currentViewName());
    state.save();
}

} // namespace digitdesk::ui
