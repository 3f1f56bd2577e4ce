#pragma once

#include "storage/actorref.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct TrainingRunRecord
{
    qint64 id = 0;
    QDateTime startedAt;
    QDateTime finishedAt; // invalid while running
    QString startedBy;
    QString status; // running, finished, cancelled, failed
    QString dataSource;
    QString dataDigest;
    QString hyperparameters; // JSON
    QString message;
    QString datasetTag;    // empty for a run on IDX files
    QString datasetCommit; // the commit datasetTag named when the run began
    qint64 pid = 0;        // 0 until a `digitdesk train` process takes the run
    QString host;
    qint64 modelId = 0; // the model it registered, 0 when none
    QString metrics;    // JSON, "{}" until finished
    QString logTail;    // the last lines of its log, for failed and cancelled runs
    QString startedBecause;
    QString progress; // JSON: the last epoch-end progress event
};

// What a run is started on and why.
struct NewTrainingRun
{
    QString dataSource;
    QString dataDigest;
    QString hyperparameters;
    QString datasetTag;
    QString datasetCommit;
    QString startedBecause = QStringLiteral("manual");
};

// The training_runs table: a run is 'running' from its start until its process records how it
// ended, or until someone sees that its process is gone. Every end is written only over a
// 'running' row, so whichever comes first stands.
class TrainingRunRepository final
{
public:
    explicit TrainingRunRepository(const QSqlDatabase &db) : m_db(db) {}

    qint64 start(const NewTrainingRun &run, const ActorRef &actor);
    // Newest first.
    std::vector<TrainingRunRecord> list(int limit) const;
    std::optional<TrainingRunRecord> find(qint64 runId) const;
    std::vector<TrainingRunRecord> running() const;
    // The newest run whose started_because begins with `prefix`.
    std::optional<TrainingRunRecord> newestStartedBecause(const QString &prefix) const;

    // Records the process that took the run: only a running run with no process yet (or this
    // one). False when the run was not there to take.
    bool setProcess(qint64 runId, qint64 pid, const QString &host);
    void setHyperparameters(qint64 runId, const QString &hyperparameters);
    void saveProgress(qint64 runId, const QString &progress);
    // False when the run had ended already (its first end stands).
    bool finish(qint64 runId, const QString &status, const QString &message, const QString &metrics,
                qint64 modelId, const QString &logTail);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
