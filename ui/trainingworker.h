#pragma once

#include "annotation/principal.h"
#include "storage/trainingrunrepository.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace digitdesk::storage {
class Connection;
}
namespace digitdesk::annotation {
class DatasetService;
class TrainingRuns;
} // namespace digitdesk::annotation

Q_DECLARE_METATYPE(std::vector<digitdesk::storage::TrainingRunRecord>)

namespace digitdesk::ui {

// The Training view's database and git work on its own thread and connection: the versions to
// choose from, the run history (runs whose process is gone are marked failed first), the run
// row made before the child starts (after committing the approved labels when asked), and the
// end of a run the child could not record itself (killed, crashed).
class TrainingWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingWorker)

public:
    TrainingWorker(QString databasePath, QString workspaceRoot, annotation::Principal who);
    ~TrainingWorker() override;

public Q_SLOTS:
    void loadVersions();
    void loadRuns();
    // `tag` empty: commit the approved labels with `commitMessage` first.
    void beginRun(const QString &tag, const QString &hyperparameters, const QString &commitMessage,
                  const QString &startedBecause);
    // The retraining policy: whether a run is due, and its threshold.
    void checkPolicy();
    void setPolicy(int minNewLabels);
    // Only a run still 'running' changes: what the child recorded itself stands.
    void endRun(qint64 runId, const QString &status, const QString &message,
                const QString &logTail);

Q_SIGNALS:
    void versionsReady(const QStringList &tags, const QStringList &descriptions);
    // The versions a data check marked (annotation/datacheckthresholds.h), each with why.
    void checkWarnings(const QStringList &tags, const QStringList &summaries);
    void runsReady(const std::vector<digitdesk::storage::TrainingRunRecord> &runs);
    void runBegun(qint64 runId, const QString &tag);
    void beginFailed(const QString &reason);
    void policyChecked(bool due, int threshold, const QString &reason);
    void failed(const QString &reason);

private:
    void open();

    QString m_databasePath;
    QString m_root;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<annotation::DatasetService> m_datasets;
    std::unique_ptr<annotation::TrainingRuns> m_runs;
};

} // namespace digitdesk::ui
