#include "storage/sessionrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {

qint64 SessionRepository::open(qint64 userId, const QString &client, const QDateTime &at)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO login_sessions (user_id, client, started_at,"
                                  " last_seen_at) VALUES (:user, :client, :at, :at) RETURNING id"),
                   QStringLiteral("open a login session for user #%1").arg(userId));
    query.bindAll({{QStringLiteral(":user"), userId},
                   {QStringLiteral(":client"), client},
                   {QStringLiteral(":at"), toDbTime(at)}});
    return query.insertReturningId();
}

void SessionRepository::touch(qint64 sessionId, const QDateTime &at)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE login_sessions SET last_seen_at = :at"
                                  " WHERE id = :id AND ended_at IS NULL"),
                   QStringLiteral("record activity in session #%1").arg(sessionId));
    query.bindAll({{QStringLiteral(":at"), toDbTime(at)}, {QStringLiteral(":id"), sessionId}});
    query.exec();
}

void SessionRepository::close(qint64 sessionId, const QString &reason, const QDateTime &at)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE login_sessions SET ended_at = :at, end_reason = :reason"
                                  " WHERE id = :id AND ended_at IS NULL"),
                   QStringLiteral("close session #%1").arg(sessionId));
    query.bindAll({{QStringLiteral(":at"), toDbTime(at)},
                   {QStringLiteral(":reason"), reason},
                   {QStringLiteral(":id"), sessionId}});
    query.exec();
}

std::optional<LoginSessionRecord> SessionRepository::find(qint64 sessionId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id, user_id, client, started_at, last_seen_at, ended_at,"
                                  " end_reason FROM login_sessions WHERE id = :id"),
                   QStringLiteral("look up session #%1").arg(sessionId));
    query.bind(QStringLiteral(":id"), sessionId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    LoginSessionRecord session;
    session.id = query.value(0).toLongLong();
    session.userId = query.value(1).toLongLong();
    session.client = query.value(2).toString();
    session.startedAt = fromDbTime(query.value(3).toString());
    session.lastSeenAt = fromDbTime(query.value(4).toString());
    if (!query.value(5).isNull()) {
        session.endedAt = fromDbTime(query.value(5).toString());
    }
    session.endReason = query.value(6).toString();
    return session;
}

int SessionRepository::closeAllOf(qint64 userId, const QString &reason, const QDateTime &at)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE login_sessions SET ended_at = :at, end_reason = :reason"
                                  " WHERE user_id = :user AND ended_at IS NULL"),
                   QStringLiteral("end the sessions of user #%1").arg(userId));
    query.bindAll({{QStringLiteral(":at"), toDbTime(at)},
                   {QStringLiteral(":reason"), reason},
                   {QStringLiteral(":user"), userId}});
    query.exec();
    return query.numRowsAffected();
}

} // namespace digitdesk::storage
