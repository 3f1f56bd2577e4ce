#pragma once

#include "annotation/datasetservice.h"
#include "annotation/principal.h"
#include "ui/datasetdifflistmodel.h"

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

Q_DECLARE_METATYPE(digitdesk::annotation::DatasetVersion)
Q_DECLARE_METATYPE(std::vector<digitdesk::annotation::DatasetVersion>)
Q_DECLARE_METATYPE(digitdesk::annotation::DatasetExport)
Q_DECLARE_METATYPE(digitdesk::ui::DatasetDiffPage)

namespace digitdesk::ui {

// Runs the dataset service on its own thread with its own database connection, one request
// at a time in the order they were made, so the Datasets view never waits for SQL or git:
// the version list, the models trained on a version, diffs with their thumbnails, commits
// (with progress) and exports.
class DatasetWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetWorker)

public:
    DatasetWorker(QString databasePath, QString workspaceRoot, annotation::Principal who);
    ~DatasetWorker() override;

    // Set from the GUI thread (cleared there too, before the request, so an early Cancel
    // counts); the commit and the export read them between chunks of images.
    std::atomic<bool> &commitCancel() { return m_commitCancel; }
    std::atomic<bool> &exportCancel() { return m_exportCancel; }

public Q_SLOTS:
    void loadVersions();
    void loadModels(const QString &tag);
    // From the older version to the newer; the thumbnails of the first
    // DatasetDiffListModel::ShownPerKind images of each kind come with it.
    void loadDiff(const QString &fromTag, const QString &toTag);
    // Commits the approved labels; the version list follows a successful commit.
    void commit(const QString &message);
    void exportVersion(const QString &tag, int format, const QString &folder);

Q_SIGNALS:
    void versionsReady(const std::vector<digitdesk::annotation::DatasetVersion> &versions);
    void versionsFailed(const QString &reason);
    void modelsReady(const QString &tag, const QList<qint64> &modelIds);
    void modelsFailed(const QString &tag, const QString &reason);
    void diffReady(const digitdesk::ui::DatasetDiffPage &page);
    void diffFailed(const QString &fromTag, const QString &toTag, const QString &reason);
    void commitProgressed(qint64 done, qint64 total);
    void committed(const digitdesk::annotation::DatasetVersion &version);
    void commitFailed(const QString &reason);
    void commitCancelled();
    void exported(const QString &tag, const digitdesk::annotation::DatasetExport &result,
                  const QString &folder);
    void exportProgressed(qint64 done, qint64 total);
    void exportFailed(const QString &reason);
    void exportCancelled(const QString &folder);

private:
    annotation::DatasetService &service();

    QString m_databasePath;
    QString m_root;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<annotation::DatasetService> m_service;
    std::atomic<bool> m_commitCancel{false};
    std::atomic<bool> m_exportCancel{false};
};

} // namespace digitdesk::ui
