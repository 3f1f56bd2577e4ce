#include "storage/datacheckrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectCheck = QStringLiteral(
    "SELECT id, dataset_tag, dataset_commit, started_at, finished_at, started_by, status,"
    " settings, images, suspected, held_out, leaking, report, message FROM data_checks");

DataCheckRecord readCheck(const SqlQuery &query)
{
    DataCheckRecord record;
    record.id = query.value(0).toLongLong();
    record.datasetTag = query.value(1).toString();
    record.datasetCommit = query.value(2).toString();
    record.startedAt = fromDbTime(query.value(3).toString());
    if (!query.value(4).isNull()) {
        record.finishedAt = fromDbTime(query.value(4).toString());
    }
    record.startedBy = query.value(5).toString();
    record.status = query.value(6).toString();
    record.settings = query.value(7).toString();
    record.images = query.value(8).toInt();
    record.suspected = query.value(9).toInt();
    record.heldOut = query.value(10).toInt();
    record.leaking = query.value(11).toInt();
    record.report = query.value(12).toString();
    record.message = query.value(13).toString();
    return record;
}

} // namespace

qint64 DataCheckRepository::start(const QString &tag, const QString &commitId,
                                  const QString &settings, const ActorRef &actor)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO data_checks (dataset_tag, dataset_commit,"
                                  " started_at, started_by, user_id, session_id, status, settings)"
                                  " VALUES (:tag, :commit, :at, :by, :user, :session, 'running',"
                                  " :settings) RETURNING id"),
                   QStringLiteral("record the start of a data check of %1").arg(tag));
    query.bindAll({{QStringLiteral(":tag"), tag},
                   {QStringLiteral(":commit"), commitId},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), actor.name},
                   {QStringLiteral(":user"), idOrNull(actor.userId)},
                   {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                   {QStringLiteral(":settings"), settings}});
    return query.insertReturningId();
}

void DataCheckRepository::finish(qint64 id, int images, int suspected, int heldOut, int leaking,
                                 const QString &report)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE data_checks SET status = 'finished', finished_at = :at,"
                                  " images = :images, suspected = :suspected, held_out = :held_out,"
                                  " leaking = :leaking, report = :report"
                                  " WHERE id = :id AND status = 'running'"),
                   QStringLiteral("record the result of data check %1").arg(id));
    query.bindAll({{QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":images"), images},
                   {QStringLiteral(":suspected"), suspected},
                   {QStringLiteral(":held_out"), heldOut},
                   {QStringLiteral(":leaking"), leaking},
                   {QStringLiteral(":report"), report},
                   {QStringLiteral(":id"), id}});
    query.exec();
}

void DataCheckRepository::end(qint64 id, const QString &status, const QString &message)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE data_checks SET status = :status, finished_at = :at,"
                                  " message = :message WHERE id = :id AND status = 'running'"),
                   QStringLiteral("record how data check %1 ended").arg(id));
    query.bindAll({{QStringLiteral(":status"), status},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":message"), textOrEmpty(message)},
                   {QStringLiteral(":id"), id}});
    query.exec();
}

std::optional<DataCheckRecord> DataCheckRepository::find(qint64 id) const
{
    SqlQuery query(m_db, SelectCheck + QStringLiteral(" WHERE id = :id"),
                   QStringLiteral("read data check %1").arg(id));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readCheck(query);
}

std::optional<DataCheckRecord> DataCheckRepository::latestFinished(const QString &tag) const
{
    SqlQuery query(m_db,
                   SelectCheck + QStringLiteral(" WHERE dataset_tag = :tag AND status = 'finished'"
                                                " ORDER BY id DESC LIMIT 1"),
                   QStringLiteral("read the newest data check of %1").arg(tag));
    query.bind(QStringLiteral(":tag"), tag);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readCheck(query);
}

} // namespace digitdesk::storage
