#include "ui/mainwindow.h"

#include "annotation/accesscontrol.h"
#include "annotation/permission.h"
#include "storage/workspace.h"
#include "ui/annotateview.h"
#include "ui/datasetsview.h"
#include "ui/imagebrowserview.h"
#include "ui/importrunner.h"
#include "ui/modelsview.h"
#include "ui/monitoringview.h"
#include "ui/overviewview.h"
#include "ui/reviewoperations.h"
#include "ui/reviewview.h"
#include "ui/servingview.h"
#include "ui/sessionwatch.h"
#include "ui/trainingview.h"
#include "ui/useradministration.h"
#include "ui/usersview.h"
#include "ui/validationview.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressDialog>
#include <QScreen>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStatusBar>

namespace digitdesk::ui {
namespace {

QString summary(const annotation::ImportReport &report)
{
    QString text = QObject::tr("Imported %1 image(s); %2 duplicate(s) not stored again; %3 "
                               "problem(s).")
                       .arg(report.imported)
                       .arg(report.duplicates)
                       .arg(report.problems.size());
    if (report.cancelled) {
        text += QObject::tr(" Cancelled: the batches before the cancel are kept.");
    }
    return text;
}

QString problemList(const annotation::ImportReport &report)
{
    QStringList lines;
    for (const annotation::ImportProblem &problem : report.problems) {
        lines << QStringLiteral("%1: %2").arg(problem.item, problem.reason);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

MainWindow::MainWindow(const storage::Workspace &workspace, annotation::Principal who,
                       QWidget *parent)
    : QMainWindow(parent), m_workspace(workspace), m_who(std::move(who)),
      m_nav(new QListWidget(this)), m_views(new QStackedWidget(this)),
      m_browser(new ImageBrowserView(workspace, this)),
      m_import(new ImportRunner(workspace, m_who, this)),
      m_watch(new SessionWatch(workspace.databasePath(), m_who, this))
{
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setFixedWidth(150);
    // Annotators see Annotate; reviewers also Review and Datasets; ML engineers everything but
    // Users and Overview; admins everything. ML QA open on Validation and managers on Overview,
    // with the views they may read after it; the other roles keep their keys (Ctrl+1 Annotate,
    // ...) and find the new views at the end. The services check the role again on every action.
    const auto addValidation = [this, &workspace] {
        m_nav->addItem(tr("Validation"));
        m_validation = new ValidationView(workspace, m_who, this);
        addView(m_validation);
    };
    const auto addOverview = [this, &workspace] {
        m_nav->addItem(tr("Overview"));
        m_overview = new OverviewView(workspace, m_who, this);
        addView(m_overview);
    };
    if (annotation::isAllowed(m_who.role, annotation::Action::Annotate)) {
        m_nav->addItem(tr("Annotate"));
        m_annotate = new AnnotateView(workspace, m_who, this);
        addView(m_annotate);
    } else if (annotation::isAllowed(m_who.role, annotation::Action::ValidateModel)) {
        addValidation();
    } else if (annotation::isAllowed(m_who.role, annotation::Action::ViewOverview)) {
        addOverview();
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::Review)) {
        m_nav->addItem(tr("Review"));
        m_review = new ReviewView(reviewServiceFactory(workspace.databasePath()), m_who, this);
        addView(m_review);
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ViewDatasets)) {
        m_nav->addItem(tr("Datasets"));
        m_datasets = new DatasetsView(workspace, m_who, this);
        addView(m_datasets);
        connect(m_datasets, &DatasetsView::trainRequested, this, &MainWindow::handleTrainRequest);
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::TrainModel)) {
        m_nav->addItem(tr("Training"));
        m_training = new TrainingView(workspace, m_who, this);
        addView(m_training);
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ViewModels)) {
        m_nav->addItem(tr("Models"));
        m_models = new ModelsView(workspace, m_who, this);
        addView(m_models);
    }
    if (m_training != nullptr && m_models != nullptr) {
        // A finished run's model waits in the registry, selected and compared with production.
        connect(m_training, &TrainingView::modelTrained, this, [this](qint64, qint64 modelId) {
            m_models->refresh();
            connect(
                m_models, &ModelsView::registryShown, this,
                [this, modelId] {
                    m_models->selectModel(modelId);
                    m_models->compareSelected();
                },
                Qt::SingleShotConnection);
        });
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ImportImages)) {
        m_nav->addItem(tr("Images"));
        addView(m_browser);
    } else {
        m_browser->hide();
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ControlServing)) {
        m_nav->addItem(tr("Serving"));
        m_serving = new ServingView(workspace, m_who, this);
        addView(m_serving);
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ViewMonitoring)) {
        m_nav->addItem(tr("Monitoring"));
        m_monitoring = new MonitoringView(workspace, m_who, this);
        addView(m_monitoring);
    }
    if (annotation::isAllowed(m_who.role, annotation::Action::ManageUsers)) {
        m_nav->addItem(tr("Users"));
        m_users = new UsersView(userAdministrationFactory(workspace.databasePath()), m_who, this);
        addView(m_users);
    }
    if (m_validation == nullptr &&
        annotation::isAllowed(m_who.role, annotation::Action::ViewValidation)) {
        addValidation();
    }
    if (m_overview == nullptr &&
        annotation::isAllowed(m_who.role, annotation::Action::ViewOverview)) {
        addOverview();
    }
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        m_views->setCurrentIndex(row);
        // The keys go to the view just opened, not to the list it was chosen from.
        if (QWidget *current = m_views->currentWidget()) {
            current->setFocus();
        }
    });
    m_nav->setCurrentRow(0);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->addWidget(m_nav);
    layout->addWidget(m_views, 1);
    setCentralWidget(central);

    addMenus();
    addStatusLabels();
    // What comes in reaches the annotator's open view without a logout.
    if (m_annotate != nullptr) {
        connect(this, &MainWindow::importFinished, m_annotate, &AnnotateView::refresh);
    }
    connect(m_watch, &SessionWatch::sessionEnded, this, &MainWindow::sessionEnded);
    connect(m_watch, &SessionWatch::roleChanged, this, &MainWindow::roleChanged);
    // An action is when rights matter: a key or click asks again (at most twice a second).
    qApp->installEventFilter(this);
    // Never larger than the screen it opens on, so the status line stays visible.
    QSize size(1200, 800);
    if (const QScreen *screen = QGuiApplication::primaryScreen()) {
        size = size.boundedTo(screen->availableGeometry().size() * 0.95);
    }
    resize(size);
    restoreWindowState();
}

MainWindow::~MainWindow()
{
    saveWindowState();
}

QString MainWindow::currentViewName() const
{
    const QListWidgetItem *item = m_nav->currentItem();
    return item ? item->text() : QString();
}

QString MainWindow::workInProgress() const
{
    if (m_training != nullptr && m_training->isRunning()) {
        return tr("a training run");
    }
    if (m_import->isRunning()) {
        return tr("an import");
    }
    if (m_datasets != nullptr && (m_datasets->isCommitting() || m_datasets->isExporting())) {
        return m_datasets->isCommitting() ? tr("a dataset commit") : tr("an export");
    }
    if (m_models != nullptr && m_models->isWorking()) {
        return tr("a comparison or prediction pass");
    }
    // A label being saved is finished by the worker before the view goes; a grid page's
    // answers are not saved until Enter.
    if (m_annotate != nullptr && m_annotate->inGridMode()) {
        return tr("a grid page");
    }
    return {};
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress || event->type() == QEvent::MouseButtonPress) {
        m_watch->checkAfterActivity();
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::runGuarded(const std::function<void()> &action)
{
    try {
        action();
    } catch (const annotation::SessionEnded &ended) {
        Q_EMIT sessionEnded(ended.why());
    } catch (const std::exception &error) {
        // StorageError and PermissionDenied name what failed and why.
        statusBar()->showMessage(QString::fromUtf8(error.what()), 30000);
        // A refusal may be the first sign that the role or the session changed.
        m_watch->checkSoon();
    }
}

void MainWindow::handleTrainRequest(const QString &tag)
{
    if (m_training == nullptr) {
        statusBar()->showMessage(tr("Training needs the ml_engineer or admin role."), 10000);
        return;
    }
    runGuarded([this, &tag] {
        m_training->prepareRunOn(tag);
        showView(tr("Training"));
        statusBar()->showMessage(
            tr("%1 chosen: set the hyperparameters and press Start training (Ctrl+Return).")
                .arg(tag),
            15000);
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_training != nullptr && m_training->isRunning()) {
        const auto answer = QMessageBox::question(
            this, tr("A training run is going"),
            tr("Run %1 is still training. Cancel it and quit? Nothing of it is registered.")
                .arg(m_training->process()->runId()),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_training->process()->cancelAndWait();
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::addView(QWidget *view)
{
    // Below a view's own minimum the window scrolls instead of refusing to shrink or overlapping.
    auto *scroll = new QScrollArea(m_views);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(view);
    scroll->setFocusProxy(view);
    m_views->addWidget(scroll);
}

bool MainWindow::showView(const QString &name)
{
    const auto found = m_nav->findItems(name, Qt::MatchExactly);
    if (found.isEmpty()) {
        return false;
    }
    m_nav->setCurrentItem(found.first());
    return true;
}

void MainWindow::handleImportFiles()
{
    runGuarded([this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, tr("Import images"), QString(),
                                          tr("Images and digit files (*.png *.jpg *.jpeg *.bmp "
                                             "*.tif *.tiff *.csv *ubyte *ubyte.gz "
                                             "*.idx*);;All files (*)"));
        if (!files.isEmpty()) {
            importPaths(files);
        }
    });
}

void MainWindow::handleImportFolder()
{
    runGuarded([this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Import a folder"));
        if (!folder.isEmpty()) {
            importPaths({folder});
        }
    });
}

void MainWindow::importPaths(const QStringList &paths)
{
    if (m_import->isRunning()) {
        QMessageBox::information(this, tr("Import"), tr("An import is running already."));
        return;
    }
    auto *progress = new QProgressDialog(tr("Importing…"), tr("Cancel"), 0, 0, this);
    progress->setObjectName(QStringLiteral("importProgress"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, m_import, &ImportRunner::cancel);
    // The production model's predictions of the new images count on in the same dialog, whose
    // Cancel stops them too; finish() closes it.
    progress->setAutoReset(false);
    progress->setAutoClose(false);
    connect(m_import, &ImportRunner::predicting, progress, [progress](qint64 done, qint64 total) {
        progress->setMaximum(static_cast<int>(total));
        progress->setValue(static_cast<int>(done));
        progress->setLabelText(
            tr("Predicting with the production model… %1 of %2 images").arg(done).arg(total));
    });
    connect(m_import, &ImportRunner::progressed, progress, [progress](qint64 done, qint64 total) {
        progress->setMaximum(static_cast<int>(total));
        progress->setValue(static_cast<int>(done));
        progress->setLabelText(tr("Importing… %1 of %2").arg(done).arg(total));
    });
    auto finish = [this, progress] {
        disconnect(m_import, nullptr, progress, nullptr);
        disconnect(m_import, &ImportRunner::finished, this, nullptr);
        disconnect(m_import, &ImportRunner::failed, this, nullptr);
        progress->close();
        runGuarded([this] { m_browser->reload(); });
        Q_EMIT importFinished();
    };
    connect(m_import, &ImportRunner::finished, this,
            [this, finish](const annotation::ImportReport &report) {
                finish();
                statusBar()->showMessage(summary(report), 15000);
                if (!report.problems.empty()) {
                    auto *box = new QMessageBox(QMessageBox::Warning, tr("Import"), summary(report),
                                                QMessageBox::Ok, this);
                    box->setObjectName(QStringLiteral("importProblems"));
                    box->setAttribute(Qt::WA_DeleteOnClose);
                    box->setInformativeText(
                        tr("Skipped files are listed under Details; the rest was imported."));
                    box->setDetailedText(problemList(report));
                    box->open();
                }
            });
    connect(m_import, &ImportRunner::failed, this, [this, finish](const QString &reason) {
        finish();
        m_watch->checkSoon(); // refused because the session ended? the window hears at once
        QMessageBox::critical(this, tr("Import failed"), reason);
    });
    annotation::ImportOptions options;
    m_import->start(paths, options);
}

} // namespace digitdesk::ui
