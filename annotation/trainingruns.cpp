#include "annotation/trainingruns.h"

#include "annotation/userservice.h"
#include "storage/approvalcounter.h"
#include "storage/datasetversionrepository.h"
#include "storage/transaction.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSysInfo>

#include <cerrno>
#include <csignal>

namespace digitdesk::annotation {
namespace {

// The longest log tail read back: a few screens of text, whatever the log's size.
constexpr qint64 MaxTailBytes = 64 * 1024;

bool isZombie(qint64 pid)
{
    // A process that exited stays a zombie until its parent reaps it, and a zombie still
    // answers kill(pid, 0).
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray line = stat.readAll();
    const qsizetype end = line.lastIndexOf(')');
    return end >= 0 && end + 2 < line.size() && line.at(end + 2) == 'Z';
}

// True when `pid` is a live `digitdesk train` (or `retrain`) on this machine: a pid left in a
// row by a killed run may belong to anything by now.
bool isTrainingProcess(qint64 pid)
{
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) || isZombie(pid)) {
        return false;
    }
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QList<QByteArray> arguments = file.readAll().split('\0');
    return !arguments.isEmpty() && arguments.at(0).contains("digitdesk") &&
           (arguments.contains("train") || arguments.contains("retrain"));
}

} // namespace

TrainingRuns::TrainingRuns(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

QString TrainingRuns::thisHost()
{
    return QSysInfo::machineHostName();
}

QString TrainingRuns::logPath(qint64 runId) const
{
    return QDir(m_root).filePath(QStringLiteral("logs/train-run-%1.log").arg(runId));
}

QString TrainingRuns::readLogTail(const QString &path, int lines)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const qint64 start = std::max<qint64>(0, file.size() - MaxTailBytes);
    file.seek(start);
    QStringList all = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (start > 0 && !all.isEmpty()) {
        all.removeFirst(); // cut in the middle
    }
    while (!all.isEmpty() && all.last().trimmed().isEmpty()) {
        all.removeLast();
    }
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join(QLatin1Char('\n'));
}

qint64 TrainingRuns::beginRun(const Principal &who, const QString &datasetTag,
                              const QString &hyperparameters, const QString &startedBecause)
{
    m_access.require(who, Action::TrainModel, datasetTag);
    const DatasetVersion version = DatasetService(m_db, m_root).version(who, datasetTag);
    storage::NewTrainingRun run;
    run.dataSource = QStringLiteral("dataset %1 (%2)").arg(version.tag, version.commitId);
    run.dataDigest = version.commitId; // a commit id is the digest of the data it holds
    run.hyperparameters = hyperparameters;
    run.datasetTag = version.tag;
    run.datasetCommit = version.commitId;
    run.startedBecause = startedBecause;
    return begin(who, run, QStringLiteral("%1 (%2)").arg(version.tag, version.commitId));
}

qint64 TrainingRuns::beginRunOnFiles(const Principal &who, const QString &dataSource,
                                     const QString &dataDigest, const QString &hyperparameters,
                                     const QString &startedBecause)
{
    m_access.require(who, Action::TrainModel, dataSource);
    storage::NewTrainingRun run;
    run.dataSource = dataSource;
    run.dataDigest = dataDigest;
    run.hyperparameters = hyperparameters;
    run.startedBecause = startedBecause;
    return begin(who, run, dataSource);
}

void TrainingRuns::refuseWhileRunning() const
{
    const std::vector<storage::TrainingRunRecord> running =
        storage::TrainingRunRepository(m_db).running();
    if (!running.empty()) {
        const storage::TrainingRunRecord &other = running.front();
        throw RunInProgress(
            QStringLiteral("run %1 (%2, started by %3 at %4) is still running: one run at a "
                           "time; wait for it or cancel it")
                .arg(other.id)
                .arg(other.datasetTag.isEmpty() ? other.dataSource : other.datasetTag,
                     other.startedBy, other.startedAt.toString(Qt::ISODate)));
    }
}

qint64 TrainingRuns::begin(const Principal &who, storage::NewTrainingRun run, const QString &on)
{
    markStaleRuns();
    storage::TrainingRunRepository repository(m_db);
    // The check and the insert under one write lock: of two processes starting at once, the
    // second sees the first's run.
    storage::Transaction transaction(m_db);
    refuseWhileRunning();
    run.startedBecause = run.startedBecause.trimmed().isEmpty() ? QStringLiteral("manual")
                                                                : run.startedBecause.trimmed();
    const qint64 runId = repository.start(run, who.actorRef());
    m_access.audit(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId),
                   QStringLiteral("begun on %1: %2").arg(on, run.startedBecause));
    transaction.commit();
    return runId;
}

storage::TrainingRunRecord TrainingRuns::claim(const Principal &who, qint64 runId,
                                               const QString &hyperparameters)
{
    m_access.require(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId));
    storage::TrainingRunRepository repository(m_db);
    const qint64 pid = QCoreApplication::applicationPid();
    storage::Transaction transaction(m_db);
    const auto run = repository.find(runId);
    if (!run) {
        throw InvalidRequest(QStringLiteral("there is no training run %1").arg(runId));
    }
    if (run->status != QStringLiteral("running")) {
        throw InvalidRequest(QStringLiteral("training run %1 is %2 already%3")
                                 .arg(runId)
                                 .arg(run->status, run->message.isEmpty()
                                                       ? QString()
                                                       : QStringLiteral(": ") + run->message));
    }
    if (!repository.setProcess(runId, pid, thisHost())) {
        throw InvalidRequest(QStringLiteral("training run %1 belongs to process %2 on %3")
                                 .arg(runId)
                                 .arg(run->pid)
                                 .arg(run->host));
    }
    repository.setHyperparameters(runId, hyperparameters);
    transaction.commit();
    return *repository.find(runId);
}

void TrainingRuns::saveProgress(const Principal &who, qint64 runId, const QString &progress)
{
    m_access.require(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId));
    storage::TrainingRunRepository(m_db).saveProgress(runId, progress);
}

bool TrainingRuns::markCancelled(const Principal &who, qint64 runId, const QString &message,
                                 const QString &logTail)
{
    return end(who, runId, QStringLiteral("cancelled"), message, logTail);
}

bool TrainingRuns::markFailed(const Principal &who, qint64 runId, const QString &message,
                              const QString &logTail)
{
    return end(who, runId, QStringLiteral("failed"), message, logTail);
}

bool TrainingRuns::end(const Principal &who, qint64 runId, const QString &status,
                       const QString &message, const QString &logTail)
{
    m_access.require(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId));
    storage::Transaction transaction(m_db);
    if (!storage::TrainingRunRepository(m_db).finish(runId, status, message, {}, 0, logTail)) {
        return false;
    }
    m_access.audit(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId),
                   QStringLiteral("%1: %2").arg(status, message));
    transaction.commit();
    return true;
}

std::vector<storage::TrainingRunRecord> TrainingRuns::list(const Principal &who, int limit) const
{
    m_access.require(who, Action::ViewModels, QStringLiteral("training runs"));
    return storage::TrainingRunRepository(m_db).list(std::max(1, limit));
}

storage::TrainingRunRecord TrainingRuns::find(const Principal &who, qint64 runId) const
{
    m_access.require(who, Action::ViewModels, QStringLiteral("run:%1").arg(runId));
    const auto run = storage::TrainingRunRepository(m_db).find(runId);
    if (!run) {
        throw InvalidRequest(QStringLiteral("there is no training run %1").arg(runId));
    }
    return *run;
}

std::vector<qint64> TrainingRuns::markStaleRuns()
{
    storage::TrainingRunRepository repository(m_db);
    const QString host = thisHost();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::vector<qint64> ended;
    for (const storage::TrainingRunRecord &run : repository.running()) {
        QString message;
        if (run.pid == 0 && run.startedAt.secsTo(now) > UnclaimedAfterSeconds) {
            message = QStringLiteral("no training process took the run within %1 minutes")
                          .arg(UnclaimedAfterSeconds / 60);
        } else if (run.pid > 0 && run.host == host && !isTrainingProcess(run.pid)) {
            message =
                QStringLiteral("the training process %1 ended without finishing").arg(run.pid);
        } else {
            continue;
        }
        // finish() writes only over a running row: a process that ended the run meanwhile wins.
        if (repository.finish(run.id, QStringLiteral("failed"), message, {}, 0,
                              readLogTail(logPath(run.id)))) {
            ended.push_back(run.id);
        }
    }
    return ended;
}

DatasetVersion TrainingRuns::commitApproved(const Principal &who, const QString &message)
{
    m_access.require(who, Action::TrainModel, QStringLiteral("approved labels"));
    // A version committed for a run that may not start would be a version nobody asked for.
    markStaleRuns();
    refuseWhileRunning();
    DatasetService datasets(m_db, m_root);
    try {
        return datasets.commit(who, message);
    } catch (const InvalidRequest &) {
        const auto newest = storage::DatasetVersionRepository(m_db).newestOwn();
        if (!newest || storage::ApprovalCounter(m_db).approvedAfter(newest->createdAt) > 0) {
            throw;
        }
        return datasets.version(who, newest->tag); // nothing approved since: that is the one
    }
}

} // namespace digitdesk::annotation
