#pragma once

#include "annotation/datasetservice.h"
#include "annotation/principal.h"

#include <QThread>
#include <QWidget>

#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class DatasetChecksPane;
class DatasetDetailsPane;
class DatasetDiffListModel;
class DatasetDiffPane;
class DatasetHistogramChart;
class DatasetVersionTableModel;
class DatasetVersionsPane;
class DatasetWorker;

// Dataset versions for reviewers, ML engineers and admins: the versions newest first; the
// selected one's counts, class histogram, parent and the models trained on it; two selected
// (Ctrl+click, or "Compare with") show what changed as thumbnails. Commits the approved labels
// as the next version (Ctrl+Return), exports a version (Ctrl+E; ML engineers and admins) and
// asks for training on it. Every request runs on a worker thread; the services check the role
// again whatever the buttons say.
class DatasetsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetsView)

public:
    DatasetsView(const storage::Workspace &workspace, annotation::Principal who,
                 QWidget *parent = nullptr);
    ~DatasetsView() override;

    DatasetVersionTableModel *versionModel() const;
    DatasetDiffListModel *diffModel() const;
    DatasetHistogramChart *histogram() const;
    bool isCommitting() const { return m_committing; }
    bool isExporting() const { return m_exporting; }
    // The worker whose signals report a commit's or an export's progress.
    DatasetWorker *worker() const { return m_worker; }
    // The tags of the selected rows, the current one first.
    QStringList selectedTags() const;
    // The first becomes the current row; a second is compared with it.
    void selectVersions(const QStringList &tags);

public Q_SLOTS:
    // Reloads the version list (also done each time the view is shown).
    void refresh();
    // Opens the message dialog; its Commit calls commitApprovedLabels().
    void openCommitDialog();
    void commitApprovedLabels(const QString &message);
    // Stops the commit or export under way; nothing of it is kept.
    void cancelLongWork();
    // Opens the format and folder dialog for the current version.
    void openExportDialog();
    void exportVersion(const QString &tag, annotation::ExportFormat format, const QString &folder);

Q_SIGNALS:
    // "Train on this version"; the training view takes it from here.
    void trainRequested(const QString &tag);
    // After each load of the version list has reached the table.
    void versionsShown();
    // After a diff has reached the thumbnail list.
    void diffShown();
    void commitFinished(bool ok);
    void exportFinished(bool ok);

    void requestVersions();
    void requestModels(const QString &tag);
    void requestDiff(const QString &fromTag, const QString &toTag);
    void requestCommit(const QString &message);
    void requestExport(const QString &tag, int format, const QString &folder);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *makeBottomPane();
    void connectWorker();
    void handleVersions(const std::vector<annotation::DatasetVersion> &versions);
    void handleSelectionChanged();
    void handleCommitted(const annotation::DatasetVersion &version);
    void handleExported(const QString &tag, const annotation::DatasetExport &result,
                        const QString &folder);
    void showProgress(const QString &what, qint64 done, qint64 total);
    void endLongWork();
    void updateButtons();
    void showError(const QString &text);
    void showNotice(const QString &text);
    QString currentTag() const;

    annotation::Principal m_who;
    QThread m_thread;
    DatasetWorker *m_worker;
    bool m_committing = false;
    bool m_exporting = false;
    QString m_selectAfterLoad;
    QPushButton *m_commit;
    QPushButton *m_export;
    QPushButton *m_train;
    QLabel *m_message;
    QProgressBar *m_progress;
    QPushButton *m_cancelWork;
    DatasetVersionsPane *m_list;
    QStackedWidget *m_bottom;
    QLabel *m_empty;
    QTabWidget *m_tabs;
    DatasetDetailsPane *m_details;
    DatasetDiffPane *m_diffPane;
    DatasetChecksPane *m_checks;
};

} // namespace digitdesk::ui
