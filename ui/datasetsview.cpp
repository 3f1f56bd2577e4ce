#include "ui/datasetsview.h"

#include "annotation/permission.h"
#include "storage/workspace.h"
#include "ui/appearance.h"
#include "ui/datasetcheckspane.h"
#include "ui/datasetcommitdialog.h"
#include "ui/datasetdetailspane.h"
#include "ui/datasetdifflistmodel.h"
#include "ui/datasetdiffpane.h"
#include "ui/datasetexportdialog.h"
#include "ui/datasetversionspane.h"
#include "ui/datasetversiontablemodel.h"
#include "ui/datasetworker.h"
#include "ui/plainlabel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

// White on deep red keeps its contrast on light and dark palettes alike.
const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");

QString diffHint()
{
    return QObject::tr("Select two versions (Ctrl+click a second row, or choose one under Compare "
                       "with) to see what changed between them.");
}

// "Exporting needs the ml_engineer or admin role; yours is reviewer."
QString roleTip(const QString &what, annotation::Action action, annotation::Role role)
{
    QStringList roles;
    for (const annotation::Role candidate :
         {annotation::Role::Annotator, annotation::Role::Reviewer, annotation::Role::MlEngineer,
          annotation::Role::Admin}) {
        if (annotation::isAllowed(candidate, action)) {
            roles << annotation::toString(candidate);
        }
    }
    return QObject::tr("%1 needs the %2 role; yours is %3.")
        .arg(what, roles.join(QObject::tr(" or ")), annotation::toString(role));
}

} // namespace

DatasetsView::DatasetsView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_who(std::move(who)),
      m_worker(new DatasetWorker(workspace.databasePath(), workspace.root(), m_who)),
      m_commit(new QPushButton(tr("&Commit approved labels…"), this)),
      m_export(new QPushButton(tr("E&xport…"), this)),
      m_train(new QPushButton(tr("&Train on this version"), this)),
      m_message(plainLabel(QStringLiteral("message"), this)), m_progress(new QProgressBar(this)),
      m_cancelWork(new QPushButton(tr("Cancel"), this)), m_list(new DatasetVersionsPane(this)),
      m_bottom(new QStackedWidget(this)), m_empty(plainLabel(QStringLiteral("emptyState"), this)),
      m_tabs(new QTabWidget(this)), m_details(new DatasetDetailsPane(this)),
      m_diffPane(new DatasetDiffPane(this)),
      m_checks(new DatasetChecksPane(workspace.databasePath(), workspace.root(), m_who, this))
{
    qRegisterMetaType<annotation::DatasetVersion>();
    qRegisterMetaType<std::vector<annotation::DatasetVersion>>();
    qRegisterMetaType<annotation::DatasetExport>();
    qRegisterMetaType<DatasetDiffPage>();
    m_commit->setObjectName(QStringLiteral("commitButton"));
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_train->setObjectName(QStringLiteral("trainButton"));
    m_message->hide();
    m_progress->setObjectName(QStringLiteral("commitProgress"));
    m_progress->hide();
    m_cancelWork->setObjectName(QStringLiteral("cancelDatasetWork"));
    m_cancelWork->setToolTip(tr("Stop the commit or export under way; nothing of it is kept"));
    m_cancelWork->hide();
    connect(m_cancelWork, &QPushButton::clicked, this, &DatasetsView::cancelLongWork);
    connect(m_commit, &QPushButton::clicked, this, &DatasetsView::openCommitDialog);
    connect(m_export, &QPushButton::clicked, this, &DatasetsView::openExportDialog);
    connect(m_train, &QPushButton::clicked, this, [this] { Q_EMIT trainRequested(currentTag()); });
    connect(m_list, &DatasetVersionsPane::selectionChanged, this,
            &DatasetsView::handleSelectionChanged);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_commit);
    buttons->addWidget(m_export);
    buttons->addWidget(m_train);
    buttons->addStretch(1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_list);
    splitter->addWidget(makeBottomPane());
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelWork);
    layout->addLayout(progressRow);
    layout->addWidget(splitter, 1);

    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *keyShortcut = new QShortcut(keys, this);
        keyShortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(keyShortcut, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { openCommitDialog(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), [this] { openCommitDialog(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_E), [this] { openExportDialog(); });
    shortcut(QKeySequence(Qt::Key_F5), [this] { refresh(); });
    setFocusProxy(m_list);

    connectWorker();
    updateButtons();
}

DatasetsView::~DatasetsView()
{
    m_thread.quit();
    m_thread.wait();
}

QWidget *DatasetsView::makeBottomPane()
{
    m_empty->setText(tr("Loading the dataset versions…"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(toneStyle(Tone::Muted) +
                           QStringLiteral(" font-size: 13pt; padding: 16px;"));
    m_diffPane->clear(diffHint());
    m_tabs->setObjectName(QStringLiteral("datasetTabs"));
    m_tabs->addTab(m_details, tr("&Details"));
    m_tabs->addTab(m_diffPane, tr("Di&fferences"));
    m_tabs->addTab(m_checks, tr("C&hecks"));
    m_bottom->addWidget(m_empty);
    m_bottom->addWidget(m_tabs);
    return m_bottom;
}

void DatasetsView::connectWorker()
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &DatasetsView::requestVersions, m_worker, &DatasetWorker::loadVersions);
    connect(this, &DatasetsView::requestModels, m_worker, &DatasetWorker::loadModels);
    connect(this, &DatasetsView::requestCommit, m_worker, &DatasetWorker::commit);
    connect(this, &DatasetsView::requestExport, m_worker, &DatasetWorker::exportVersion);
    connect(m_worker, &DatasetWorker::versionsReady, this, &DatasetsView::handleVersions);
    connect(m_worker, &DatasetWorker::versionsFailed, this, [this](const QString &reason) {
        showError(tr("The dataset versions could not be read: %1").arg(reason));
    });
    connect(m_worker, &DatasetWorker::modelsReady, m_details, &DatasetDetailsPane::showModels);
    connect(m_worker, &DatasetWorker::modelsFailed, m_details,
            &DatasetDetailsPane::showModelsFailed);
    connect(m_diffPane, &DatasetDiffPane::requestDiff, m_worker, &DatasetWorker::loadDiff);
    connect(m_diffPane, &DatasetDiffPane::diffShown, this, &DatasetsView::diffShown);
    connect(m_worker, &DatasetWorker::diffReady, m_diffPane, &DatasetDiffPane::handleDiff);
    connect(m_worker, &DatasetWorker::diffFailed, m_diffPane, &DatasetDiffPane::handleDiffFailed);
    connect(m_worker, &DatasetWorker::commitProgressed, this,
            [this](qint64 done, qint64 total) { showProgress(tr("Encoding"), done, total); });
    connect(m_worker, &DatasetWorker::committed, this, &DatasetsView::handleCommitted);
    connect(m_worker, &DatasetWorker::commitFailed, this, [this](const QString &reason) {
        endLongWork();
        showError(tr("Not committed: %1").arg(reason));
        Q_EMIT commitFinished(false);
    });
    connect(m_worker, &DatasetWorker::commitCancelled, this, [this] {
        endLongWork();
        showNotice(tr("Commit cancelled: no version, tag or commit was made."));
        Q_EMIT commitFinished(false);
    });
    connect(m_worker, &DatasetWorker::exportProgressed, this,
            [this](qint64 done, qint64 total) { showProgress(tr("Exporting"), done, total); });
    connect(m_worker, &DatasetWorker::exported, this, &DatasetsView::handleExported);
    connect(m_worker, &DatasetWorker::exportFailed, this, [this](const QString &reason) {
        endLongWork();
        showError(tr("Not exported: %1").arg(reason));
        Q_EMIT exportFinished(false);
    });
    connect(m_worker, &DatasetWorker::exportCancelled, this, [this](const QString &folder) {
        endLongWork();
        showNotice(tr("Export cancelled: what it had written to %1 was removed.").arg(folder));
        Q_EMIT exportFinished(false);
    });
    m_thread.setObjectName(QStringLiteral("dataset worker"));
    m_thread.start();
}

DatasetVersionTableModel *DatasetsView::versionModel() const
{
    return m_list->model();
}

DatasetDiffListModel *DatasetsView::diffModel() const
{
    return m_diffPane->model();
}

DatasetHistogramChart *DatasetsView::histogram() const
{
    return m_details->histogram();
}

void DatasetsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(); // another process (the command line, a colleague) may have committed
    m_list->setFocus();
}

void DatasetsView::refresh()
{
    Q_EMIT requestVersions();
}

void DatasetsView::handleVersions(const std::vector<annotation::DatasetVersion> &versions)
{
    m_empty->setText(tr("No dataset version yet. Commit approved labels to make v1."));
    m_bottom->setCurrentWidget(versions.empty() ? static_cast<QWidget *>(m_empty) : m_tabs);
    QStringList select;
    if (!m_selectAfterLoad.isEmpty()) {
        select << m_selectAfterLoad; // the version just committed
        m_selectAfterLoad.clear();
    }
    m_list->setVersions(versions, select);
    Q_EMIT versionsShown();
}

QString DatasetsView::currentTag() const
{
    return m_list->selectedTags().value(0);
}

QStringList DatasetsView::selectedTags() const
{
    return m_list->selectedTags();
}

void DatasetsView::selectVersions(const QStringList &tags)
{
    m_list->selectVersions(tags);
}

void DatasetsView::handleSelectionChanged()
{
    const QStringList tags = selectedTags();
    const DatasetVersionTableModel *versions = m_list->model();
    const int row = tags.isEmpty() ? -1 : versions->rowOf(tags.first());
    if (row < 0) {
        m_details->clear();
    } else {
        const annotation::DatasetVersion &version = versions->version(row);
        const int parentRow = versions->rowOf(version.parentTag);
        m_details->showVersion(version, parentRow < 0 ? nullptr : &versions->version(parentRow));
        Q_EMIT requestModels(version.tag);
    }
    m_checks->setVersion(tags.size() == 1 ? tags.first() : QString());
    if (tags.size() == 2) {
        // From the older (lower in the list) to the newer.
        const bool firstIsNewer = versions->rowOf(tags[0]) < versions->rowOf(tags[1]);
        m_diffPane->compare(firstIsNewer ? tags[1] : tags[0], firstIsNewer ? tags[0] : tags[1]);
        m_tabs->setCurrentWidget(m_diffPane);
    } else if (tags.size() > 2) {
        m_diffPane->clear(
            tr("%1 versions are selected: select only two to compare them.").arg(tags.size()));
    } else {
        m_diffPane->clear(diffHint());
        if (m_tabs->currentWidget() != m_checks) {
            m_tabs->setCurrentWidget(m_details);
        }
    }
    updateButtons();
}

void DatasetsView::updateButtons()
{
    using annotation::Action;
    const bool hasVersion = !currentTag().isEmpty();
    const bool mayCommit = annotation::isAllowed(m_who.role, Action::CommitDataset);
    // One long job at a time: the progress bar and its Cancel belong to it.
    const bool busy = m_committing || m_exporting;
    m_commit->setEnabled(mayCommit && !busy);
    m_commit->setToolTip(mayCommit ? tr("Commit every approved label as the next version "
                                        "(Ctrl+Return)")
                                   : roleTip(tr("Committing"), Action::CommitDataset, m_who.role));
    const bool mayExport = annotation::isAllowed(m_who.role, Action::ManageDatasets);
    m_export->setEnabled(mayExport && hasVersion && !busy);
    m_export->setToolTip(!mayExport ? roleTip(tr("Exporting"), Action::ManageDatasets, m_who.role)
                         : !hasVersion ? tr("Select a version to export it")
                                       : tr("Export the version as ImageFolder, IDX or CSV "
                                            "(Ctrl+E)"));
    const bool mayTrain = annotation::isAllowed(m_who.role, Action::TrainModel);
    m_train->setEnabled(mayTrain && hasVersion);
    m_train->setToolTip(!mayTrain     ? roleTip(tr("Training"), Action::TrainModel, m_who.role)
                        : !hasVersion ? tr("Select a version to train on it")
                                      : tr("Retrain the model on this version"));
}

void DatasetsView::showError(const QString &text)
{
    m_message->setStyleSheet(ErrorStyle);
    m_message->setText(text);
    m_message->show();
}

void DatasetsView::showNotice(const QString &text)
{
    m_message->setStyleSheet(toneStyle(Tone::Success) + QStringLiteral(" padding: 6px;"));
    m_message->setText(text);
    m_message->show();
}

void DatasetsView::openCommitDialog()
{
    if (m_committing || !m_commit->isEnabled()) {
        return;
    }
    auto *dialog = new DatasetCommitDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { commitApprovedLabels(dialog->message()); });
    dialog->open();
}

void DatasetsView::commitApprovedLabels(const QString &message)
{
    if (m_committing) {
        return;
    }
    if (message.trimmed().isEmpty()) {
        showError(tr("Not committed: a dataset version needs a message that says what changed."));
        Q_EMIT commitFinished(false);
        return;
    }
    m_committing = true;
    m_worker->commitCancel() = false;
    showProgress(QString(), 0, 0);
    showNotice(tr("Committing the approved labels…"));
    Q_EMIT requestCommit(message.trimmed());
}

void DatasetsView::handleCommitted(const annotation::DatasetVersion &version)
{
    endLongWork();
    showNotice(
        tr("Committed %1: %2 images.").arg(version.tag, QLocale().toString(version.imageCount)));
    m_selectAfterLoad = version.tag; // the version list follows from the worker
    Q_EMIT commitFinished(true);
}

void DatasetsView::showProgress(const QString &what, qint64 done, qint64 total)
{
    if (total <= 0) {
        m_progress->setRange(0, 0); // busy until the first step is known
        m_progress->setFormat(QString());
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(done * 1000 / total));
        m_progress->setFormat(tr("%1: %2 of %3 images")
                                  .arg(what, QLocale().toString(done), QLocale().toString(total)));
    }
    m_progress->show();
    m_cancelWork->show();
    m_cancelWork->setEnabled(true);
    updateButtons();
}

void DatasetsView::endLongWork()
{
    m_committing = false;
    m_exporting = false;
    m_progress->hide();
    m_cancelWork->hide();
    updateButtons();
}

void DatasetsView::cancelLongWork()
{
    if (m_committing) {
        m_worker->commitCancel() = true;
    } else if (m_exporting) {
        m_worker->exportCancel() = true;
    } else {
        return;
    }
    m_cancelWork->setEnabled(false);
    showNotice(tr("Cancelling…"));
}

void DatasetsView::openExportDialog()
{
    const QString tag = currentTag();
    if (m_exporting || !m_export->isEnabled() || tag.isEmpty()) {
        return;
    }
    auto *dialog = new DatasetExportDialog(tag, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog, tag] { exportVersion(tag, dialog->format(), dialog->folder()); });
    dialog->open();
}

void DatasetsView::exportVersion(const QString &tag, annotation::ExportFormat format,
                                 const QString &folder)
{
    if (m_exporting || m_committing) {
        return;
    }
    m_exporting = true;
    m_worker->exportCancel() = false;
    showProgress(QString(), 0, 0);
    showNotice(tr("Exporting %1 to %2…").arg(tag, folder));
    Q_EMIT requestExport(tag, static_cast<int>(format), folder);
}

void DatasetsView::handleExported(const QString &tag, const annotation::DatasetExport &result,
                                  const QString &folder)
{
    endLongWork();
    QString text = tr("Exported %1 to %2: %3 images in %4 files.")
                       .arg(tag, folder, QLocale().toString(result.images))
                       .arg(result.files.size());
    if (result.skipped > 0) {
        text += tr(" %1 'not a digit' images were left out: the format holds digits only.")
                    .arg(result.skipped);
    }
    showNotice(text);
    Q_EMIT exportFinished(true);
}

} // namespace digitdesk::ui
