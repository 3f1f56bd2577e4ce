#include "storage/trainingrunrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectRun = QStringLiteral(
    "SELECT id, started_at, COALESCE(finished_at, ''), started_by, status, data_source,"
    " data_digest, hyperparameters, message, dataset_tag, dataset_commit, pid, host,"
    " COALESCE(model_id, 0), metrics, log_tail, started_because, progress FROM training_runs");

TrainingRunRecord readRun(const SqlQuery &query)
{
    TrainingRunRecord run;
    run.id = query.value(0).toLongLong();
    run.startedAt = fromDbTime(query.value(1).toString());
    if (!query.value(2).toString().isEmpty()) {
        run.finishedAt = fromDbTime(query.value(2).toString());
    }
    run.startedBy = query.value(3).toString();
    run.status = query.value(4).toString();
    run.dataSource = query.value(5).toString();
    run.dataDigest = query.value(6).toString();
    run.hyperparameters = query.value(7).toString();
    run.message = query.value(8).toString();
    run.datasetTag = query.value(9).toString();
    run.datasetCommit = query.value(10).toString();
    run.pid = query.value(11).toLongLong();
    run.host = query.value(12).toString();
    run.modelId = query.value(13).toLongLong();
    run.metrics = query.value(14).toString();
    run.logTail = query.value(15).toString();
    run.startedBecause = query.value(16).toString();
    run.progress = query.value(17).toString();
    return run;
}

std::vector<TrainingRunRecord> readRuns(SqlQuery &query)
{
    query.exec();
    std::vector<TrainingRunRecord> runs;
    while (query.next()) {
        runs.push_back(readRun(query));
    }
    return runs;
}

} // namespace

qint64 TrainingRunRepository::start(const NewTrainingRun &run, const ActorRef &actor)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO training_runs (started_at, started_by, user_id,"
                                  " session_id, status, data_source, data_digest, hyperparameters,"
                                  " dataset_tag, dataset_commit, started_because) VALUES (:at,"
                                  " :by, :user, :session, 'running', :source, :digest, :hyper,"
                                  " :tag, :commit, :because) RETURNING id"),
                   QStringLiteral("record the start of a training run"));
    query.bindAll({{QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), actor.name},
                   {QStringLiteral(":user"), idOrNull(actor.userId)},
                   {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                   {QStringLiteral(":source"), textOrEmpty(run.dataSource)},
                   {QStringLiteral(":digest"), textOrEmpty(run.dataDigest)},
                   {QStringLiteral(":hyper"),
                    run.hyperparameters.isEmpty() ? QStringLiteral("{}") : run.hyperparameters},
                   {QStringLiteral(":tag"), textOrEmpty(run.datasetTag)},
                   {QStringLiteral(":commit"), textOrEmpty(run.datasetCommit)},
                   {QStringLiteral(":because"),
                    run.startedBecause.isEmpty() ? QStringLiteral("manual") : run.startedBecause}});
    return query.insertReturningId();
}

std::vector<TrainingRunRecord> TrainingRunRepository::list(int limit) const
{
    SqlQuery query(m_db, SelectRun + QStringLiteral(" ORDER BY id DESC LIMIT :limit"),
                   QStringLiteral("list training runs"));
    query.bind(QStringLiteral(":limit"), limit);
    return readRuns(query);
}

std::optional<TrainingRunRecord> TrainingRunRepository::find(qint64 runId) const
{
    SqlQuery query(m_db, SelectRun + QStringLiteral(" WHERE id = :id"),
                   QStringLiteral("read training run #%1").arg(runId));
    query.bind(QStringLiteral(":id"), runId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readRun(query);
}

std::vector<TrainingRunRecord> TrainingRunRepository::running() const
{
    SqlQuery query(m_db, SelectRun + QStringLiteral(" WHERE status = 'running' ORDER BY id"),
                   QStringLiteral("list the running training runs"));
    return readRuns(query);
}

std::optional<TrainingRunRecord>
TrainingRunRepository::newestStartedBecause(const QString &prefix) const
{
    SqlQuery query(m_db,
                   SelectRun + QStringLiteral(" WHERE substr(started_because, 1, :length) ="
                                              " :prefix ORDER BY id DESC LIMIT 1"),
                   QStringLiteral("find the newest training run started for '%1'").arg(prefix));
    query.bindAll(
        {{QStringLiteral(":length"), prefix.size()}, {QStringLiteral(":prefix"), prefix}});
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readRun(query);
}

bool TrainingRunRepository::setProcess(qint64 runId, qint64 pid, const QString &host)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE training_runs SET pid = :pid, host = :host WHERE id ="
                                  " :id AND status = 'running' AND (pid = 0 OR (pid = :same AND"
                                  " host = :samehost))"),
                   QStringLiteral("record the process of training run #%1").arg(runId));
    query.bindAll({{QStringLiteral(":pid"), pid},
                   {QStringLiteral(":host"), textOrEmpty(host)},
                   {QStringLiteral(":id"), runId},
                   {QStringLiteral(":same"), pid},
                   {QStringLiteral(":samehost"), textOrEmpty(host)}});
    query.exec();
    return query.numRowsAffected() == 1;
}

void TrainingRunRepository::setHyperparameters(qint64 runId, const QString &hyperparameters)
{
    SqlQuery query(
        m_db, QStringLiteral("UPDATE training_runs SET hyperparameters = :hyper WHERE id = :id"),
        QStringLiteral("record the hyperparameters of training run #%1").arg(runId));
    query.bindAll({{QStringLiteral(":hyper"), hyperparameters}, {QStringLiteral(":id"), runId}});
    query.exec();
}

void TrainingRunRepository::saveProgress(qint64 runId, const QString &progress)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE training_runs SET progress = :progress WHERE id = :id"),
                   QStringLiteral("record the progress of training run #%1").arg(runId));
    query.bindAll({{QStringLiteral(":progress"), progress}, {QStringLiteral(":id"), runId}});
    query.exec();
}

bool TrainingRunRepository::finish(qint64 runId, const QString &status, const QString &message,
                                   const QString &metrics, qint64 modelId, const QString &logTail)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE training_runs SET status = :status, finished_at = :at,"
                                  " message = :message, metrics = :metrics, model_id = :model,"
                                  " log_tail = :tail WHERE id = :id AND status = 'running'"),
                   QStringLiteral("record the end of training run #%1").arg(runId));
    query.bindAll({{QStringLiteral(":status"), status},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":message"), textOrEmpty(message)},
                   {QStringLiteral(":metrics"), metrics.isEmpty() ? QStringLiteral("{}") : metrics},
                   {QStringLiteral(":model"), idOrNull(modelId)},
                   {QStringLiteral(":tail"), textOrEmpty(logTail)},
                   {QStringLiteral(":id"), runId}});
    query.exec();
    return query.numRowsAffected() == 1;
}

} // namespace digitdesk::storage
