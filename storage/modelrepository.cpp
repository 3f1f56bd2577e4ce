#include "storage/modelrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectModel = QStringLiteral(
    "SELECT id, architecture, created_at, created_by, COALESCE(training_run_id, 0),"
    " COALESCE(dataset_commit, ''), source_digest, hyperparameters, metrics, file_path,"
    " file_sha256, temperature, note FROM models");

ModelRecord readModel(const SqlQuery &query)
{
    ModelRecord model;
    model.id = query.value(0).toLongLong();
    model.architecture = query.value(1).toString();
    model.createdAt = fromDbTime(query.value(2).toString());
    model.createdBy = query.value(3).toString();
    model.trainingRunId = query.value(4).toLongLong();
    model.datasetCommit = query.value(5).toString();
    model.sourceDigest = query.value(6).toString();
    model.hyperparameters = query.value(7).toString();
    model.metrics = query.value(8).toString();
    model.filePath = query.value(9).toString();
    model.fileSha256 = query.value(10).toString();
    model.temperature = query.value(11).toDouble();
    model.note = query.value(12).toString();
    return model;
}

} // namespace

qint64 ModelRepository::addModel(const ModelRecord &model, const ActorRef &actor)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO models (architecture, created_at, created_by,"
                                  " user_id, session_id, training_run_id, dataset_commit,"
                                  " source_digest, hyperparameters, metrics, file_path,"
                                  " file_sha256, temperature, note) VALUES (:arch, :at, :by,"
                                  " :user, :session, :run, :commit, :source, :hyper, :metrics,"
                                  " :path, :sha, :temperature, :note) RETURNING id"),
                   QStringLiteral("register a model"));
    query.bindAll({{QStringLiteral(":arch"), model.architecture},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), actor.name},
                   {QStringLiteral(":user"), idOrNull(actor.userId)},
                   {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                   {QStringLiteral(":run"), idOrNull(model.trainingRunId)},
                   {QStringLiteral(":commit"),
                    model.datasetCommit.isEmpty() ? QVariant() : QVariant(model.datasetCommit)},
                   {QStringLiteral(":source"), model.sourceDigest},
                   {QStringLiteral(":hyper"),
                    model.hyperparameters.isEmpty() ? QStringLiteral("{}") : model.hyperparameters},
                   {QStringLiteral(":metrics"),
                    model.metrics.isEmpty() ? QStringLiteral("{}") : model.metrics},
                   {QStringLiteral(":path"), model.filePath},
                   {QStringLiteral(":sha"), model.fileSha256},
                   {QStringLiteral(":temperature"), model.temperature},
                   {QStringLiteral(":note"), textOrEmpty(model.note)}});
    return query.insertReturningId();
}

void ModelRepository::setFilePath(qint64 id, const QString &filePath)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE models SET file_path = :path WHERE id = :id"),
                   QStringLiteral("name the file of model #%1").arg(id));
    query.bindAll({{QStringLiteral(":path"), filePath}, {QStringLiteral(":id"), id}});
    query.exec();
}

std::optional<ModelRecord> ModelRepository::findModel(qint64 id) const
{
    SqlQuery query(m_db, SelectModel + QStringLiteral(" WHERE id = :id"),
                   QStringLiteral("read model #%1").arg(id));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readModel(query);
}

std::vector<ModelRecord> ModelRepository::listModels() const
{
    SqlQuery query(m_db, SelectModel + QStringLiteral(" ORDER BY id"),
                   QStringLiteral("list models"));
    query.exec();
    std::vector<ModelRecord> models;
    while (query.next()) {
        models.push_back(readModel(query));
    }
    return models;
}

std::optional<qint64> ModelRepository::aliasTarget(const QString &alias) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT model_id FROM model_aliases WHERE alias = :alias"),
                   QStringLiteral("read alias %1").arg(alias));
    query.bind(QStringLiteral(":alias"), alias);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

std::optional<qint64> ModelRepository::aliasTargetAt(const QString &alias,
                                                     const QDateTime &time) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT to_model_id FROM model_alias_moves WHERE alias = :alias"
                                  " AND moved_at <= :at ORDER BY moved_at DESC, id DESC LIMIT 1"),
                   QStringLiteral("read the history of alias %1").arg(alias));
    query.bindAll({{QStringLiteral(":alias"), alias}, {QStringLiteral(":at"), toDbTime(time)}});
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

void ModelRepository::moveAlias(const QString &alias, qint64 modelId, const ActorRef &actor,
                                const QString &reason)
{
    const std::optional<qint64> from = aliasTarget(alias);
    const QString at = nowDbTime();
    SqlQuery upsert(m_db,
                    QStringLiteral("INSERT INTO model_aliases (alias, model_id, moved_at) VALUES"
                                   " (:alias, :model, :at) ON CONFLICT (alias) DO UPDATE SET"
                                   " model_id = excluded.model_id, moved_at = excluded.moved_at"),
                    QStringLiteral("move alias %1").arg(alias));
    upsert.bindAll({{QStringLiteral(":alias"), alias},
                    {QStringLiteral(":model"), modelId},
                    {QStringLiteral(":at"), at}});
    upsert.exec();
    SqlQuery record(m_db,
                    QStringLiteral("INSERT INTO model_alias_moves (alias, from_model_id,"
                                   " to_model_id, moved_at, moved_by, user_id, session_id, reason)"
                                   " VALUES (:alias, :from, :to, :at, :by, :user, :session,"
                                   " :reason)"),
                    QStringLiteral("record the move of alias %1").arg(alias));
    record.bindAll({{QStringLiteral(":alias"), alias},
                    {QStringLiteral(":from"), from ? QVariant(*from) : QVariant()},
                    {QStringLiteral(":to"), modelId},
                    {QStringLiteral(":at"), at},
                    {QStringLiteral(":by"), actor.name},
                    {QStringLiteral(":user"), idOrNull(actor.userId)},
                    {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                    {QStringLiteral(":reason"), textOrEmpty(reason)}});
    record.exec();
}

std::vector<AliasMove> ModelRepository::aliasHistory() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id, alias, COALESCE(from_model_id, 0), to_model_id,"
                                  " moved_at, moved_by, reason FROM model_alias_moves ORDER BY id"),
                   QStringLiteral("read the alias history"));
    query.exec();
    std::vector<AliasMove> moves;
    while (query.next()) {
        AliasMove move;
        move.id = query.value(0).toLongLong();
        move.alias = query.value(1).toString();
        move.fromModelId = query.value(2).toLongLong();
        move.toModelId = query.value(3).toLongLong();
        move.movedAt = fromDbTime(query.value(4).toString());
        move.movedBy = query.value(5).toString();
        move.reason = query.value(6).toString();
        moves.push_back(move);
    }
    return moves;
}

} // namespace digitdesk::storage
