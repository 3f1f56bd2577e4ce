#pragma once

#include "annotation/principal.h"

#include <QMainWindow>

#include <functional>

class QMenu;
class QListWidget;
class QStackedWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class AnnotateView;
class DatasetsView;
class ImageBrowserView;
class ReviewView;
class ServingView;
class SessionWatch;
class UsersView;
class ImportRunner;
class ModelsView;
class MonitoringView;
class OverviewView;
class TrainingView;
class ValidationView;

// The window after login: a list of views on the left (those the role may use), the current
// view on the right, the user, role and workspace in the status bar. It watches its user's
// role and session (SessionWatch) and says so when either changes; whoever owns the window
// then locks it or builds it again for the new role.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(const storage::Workspace &workspace, annotation::Principal who,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    ImageBrowserView *imageBrowser() const { return m_browser; }
    AnnotateView *annotateView() const { return m_annotate; }
    ReviewView *reviewView() const { return m_review; }
    DatasetsView *datasetsView() const { return m_datasets; }
    ServingView *servingView() const { return m_serving; }
    TrainingView *trainingView() const { return m_training; }
    ModelsView *modelsView() const { return m_models; }
    MonitoringView *monitoringView() const { return m_monitoring; }
    ValidationView *validationView() const { return m_validation; }
    OverviewView *overviewView() const { return m_overview; }
    SessionWatch *sessionWatch() const { return m_watch; }
    // Shows the named view ("Annotate", "Images") when the role has it.
    bool showView(const QString &name);
    // Starts an import of the paths with a progress dialog (also used by tests).
    void importPaths(const QStringList &paths);
    // The name of the view on screen ("Annotate").
    QString currentViewName() const;
    // What runs that closing the window would stop or wait for ("a training run"), or empty.
    QString workInProgress() const;
    // Help > About DigitDesk, opened (and owned by the window).
    void showAbout();

Q_SIGNALS:
    void logoutRequested();
    // File > Switch workspace: end the session and choose another workspace.
    void switchWorkspaceRequested();
    // View > Appearance changed the palette: the views' colours are set when they are built,
    // so whoever owns the window builds it again (it reopens where it was).
    void appearanceChanged();
    void importFinished();
    // The user may no longer act (disabled, session ended by an admin); `why` in their words.
    void sessionEnded(const QString &why);
    // The user's role changed while the session stayed open: the views no longer fit.
    void roleChanged(digitdesk::annotation::Role role);

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Runs a slot's work so that nothing it throws reaches the event loop: an ended session
    // becomes sessionEnded(), any other error a message in the status bar.
    void runGuarded(const std::function<void()> &action);
    void addView(QWidget *view);
    void handleTrainRequest(const QString &tag);
    void handleImportFiles();
    void handleImportFolder();
    void addMenus();
    void addAppearanceMenu(QMenu *view);
    void addStatusLabels();
    void restoreWindowState();
    void saveWindowState() const;

    const storage::Workspace &m_workspace;
    annotation::Principal m_who;
    QListWidget *m_nav;
    QStackedWidget *m_views;
    ImageBrowserView *m_browser;
    AnnotateView *m_annotate = nullptr;
    ReviewView *m_review = nullptr;
    DatasetsView *m_datasets = nullptr;
    TrainingView *m_training = nullptr;
    ModelsView *m_models = nullptr;
    MonitoringView *m_monitoring = nullptr;
    ServingView *m_serving = nullptr;
    UsersView *m_users = nullptr;
    ValidationView *m_validation = nullptr;
    OverviewView *m_overview = nullptr;
    ImportRunner *m_import;
    SessionWatch *m_watch;
};

} // namespace digitdesk::ui
