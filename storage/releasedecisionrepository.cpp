#include "storage/releasedecisionrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

qint64 ReleaseDecisionRepository::add(qint64 modelId, bool approved, const QString &comment,
                                      const ActorRef &actor)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO release_decisions (model_id, approved, comment,"
                                  " decided_by, user_id, session_id, decided_at) VALUES (:model,"
                                  " :approved, :comment, :by, :user, :session, :at) RETURNING id"),
                   QStringLiteral("record the release decision on model #%1").arg(modelId));
    query.bindAll({{QStringLiteral(":model"), modelId},
                   {QStringLiteral(":approved"), approved ? 1 : 0},
                   {QStringLiteral(":comment"), textOrEmpty(comment)},
                   {QStringLiteral(":by"), actor.name},
                   {QStringLiteral(":user"), idOrNull(actor.userId)},
                   {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                   {QStringLiteral(":at"), nowDbTime()}});
    return query.insertReturningId();
}

std::vector<ReleaseDecisionRecord> ReleaseDecisionRepository::forModel(qint64 modelId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id, approved, comment, decided_by, COALESCE(user_id, 0),"
                                  " COALESCE(session_id, 0), decided_at FROM release_decisions"
                                  " WHERE model_id = :model ORDER BY id"),
                   QStringLiteral("read the release decisions on model #%1").arg(modelId));
    query.bind(QStringLiteral(":model"), modelId);
    query.exec();
    std::vector<ReleaseDecisionRecord> decisions;
    while (query.next()) {
        ReleaseDecisionRecord decision;
        decision.id = query.value(0).toLongLong();
        decision.modelId = modelId;
        decision.approved = query.value(1).toInt() != 0;
        decision.comment = query.value(2).toString();
        decision.decidedBy = {query.value(3).toString(), query.value(4).toLongLong(),
                              query.value(5).toLongLong()};
        decision.decidedAt = fromDbTime(query.value(6).toString());
        decisions.push_back(decision);
    }
    return decisions;
}

std::vector<qint64> ReleaseDecisionRepository::undecidedModels() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id FROM models WHERE NOT EXISTS (SELECT 1 FROM"
                                  " release_decisions WHERE model_id = models.id)"
                                  " ORDER BY id DESC"),
                   QStringLiteral("list the models without a release decision"));
    query.exec();
    std::vector<qint64> ids;
    while (query.next()) {
        ids.push_back(query.value(0).toLongLong());
    }
    return ids;
}

std::vector<ActorRef> ReleaseDecisionRepository::makersOf(qint64 modelId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT models.created_by, COALESCE(models.user_id, 0),"
                                  " training_runs.started_by, COALESCE(training_runs.user_id, 0)"
                                  " FROM models LEFT JOIN training_runs"
                                  " ON training_runs.id = models.training_run_id"
                                  " WHERE models.id = :model"),
                   QStringLiteral("read who made model #%1").arg(modelId));
    query.bind(QStringLiteral(":model"), modelId);
    query.exec();
    std::vector<ActorRef> makers;
    if (query.next()) {
        makers.push_back({query.value(0).toString(), query.value(1).toLongLong(), 0});
        if (!query.value(2).isNull()) {
            makers.push_back({query.value(2).toString(), query.value(3).toLongLong(), 0});
        }
    }
    return makers;
}

} // namespace digitdesk::storage
