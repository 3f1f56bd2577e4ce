#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/datasetservice.h"
#include "annotation/principal.h"
#include "storage/trainingrunrepository.h"

#include <QSqlDatabase>
#include <QString>

#include <stdexcept>
#include <vector>

namespace digitdesk::annotation {

// A run refused because another one is still running: one run at a time on a workspace.
class RunInProgress final : public std::runtime_error
{
public:
    explicit RunInProgress(const QString &message) : std::runtime_error(message.toStdString()) {}
};

// Training runs and the protocol between whoever starts one and the `digitdesk train` process
// that does the work. The GUI (or the command itself) begins a run on a dataset version; the
// process claims it, recording its pid and host, writes its output to logs/train-run-<id>.log
// and records how it ended. A run whose process is gone without a word is found by
// markStaleRuns() and recorded as failed with the last lines of its log. ml_engineer and admin
// start, claim and end runs (TrainModel) and see them (ViewModels).
class TrainingRuns final
{
public:
    static constexpr int LogTailLines = 20;
    // A run that no process claimed within this long never will.
    static constexpr int UnclaimedAfterSeconds = 300;

    TrainingRuns(const QSqlDatabase &db, QString workspaceRoot);

    // Begins a run on the version `datasetTag` (its commit recorded now); refused with
    // RunInProgress while another run is running. `startedBecause` is "manual" or the
    // retraining policy's reason. Returns the run id.
    qint64 beginRun(const Principal &who, const QString &datasetTag, const QString &hyperparameters,
                    const QString &startedBecause = QStringLiteral("manual"));
    // As beginRun(), on files outside the dataset versions (an IDX pair).
    qint64 beginRunOnFiles(const Principal &who, const QString &dataSource,
                           const QString &dataDigest, const QString &hyperparameters,
                           const QString &startedBecause = QStringLiteral("manual"));
    // Throws RunInProgress, naming the run, while one is running.
    void refuseWhileRunning() const;
    // The calling process takes the run (running, and no process yet or this one): records its
    // pid, host and the hyperparameters it trains with. Throws InvalidRequest with the reason.
    storage::TrainingRunRecord claim(const Principal &who, qint64 runId,
                                     const QString &hyperparameters);
    void saveProgress(const Principal &who, qint64 runId, const QString &progress);
    // Ends a running run without a model; false when it had ended already (its first end
    // stands). Both are audited.
    bool markCancelled(const Principal &who, qint64 runId, const QString &message,
                       const QString &logTail = {});
    bool markFailed(const Principal &who, qint64 runId, const QString &message,
                    const QString &logTail = {});

    // Newest first.
    std::vector<storage::TrainingRunRecord> list(const Principal &who, int limit = 200) const;
    storage::TrainingRunRecord find(const Principal &who, qint64 runId) const;

    // Every running run whose process is gone (pid on this host, no live `digitdesk train` or
    // `retrain` there) or that no process claimed within UnclaimedAfterSeconds becomes failed,
    // with the last lines of its log. A run of another host is left alone. Not a decision
    // anybody makes, only a fact recorded, so it needs no permission; returns the runs it ended.
    std::vector<qint64> markStaleRuns();

    // The approved labels as a new version, or the newest version when nothing changed since.
    DatasetVersion commitApproved(const Principal &who, const QString &message);

    QString logPath(qint64 runId) const;
    // The last `lines` lines of a log file; empty when there is none.
    static QString readLogTail(const QString &path, int lines = LogTailLines);
    static QString thisHost();

private:
    qint64 begin(const Principal &who, storage::NewTrainingRun run, const QString &on);
    bool end(const Principal &who, qint64 runId, const QString &status, const QString &message,
             const QString &logTail);

    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
