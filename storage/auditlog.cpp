#include "storage/auditlog.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
void AuditLog::append(const AuditEntry &entry)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO audit_log (at, actor, user_id, session_id, action,"
                                  " target, outcome, detail) VALUES (:at, :actor, :user, :session,"
                                  " :action, :target, :outcome, :detail)"),
                   QStringLiteral("append to the audit log"));
    const QDateTime at = entry.at.isValid() ? entry.at : QDateTime::currentDateTimeUtc();
    query.bindAll({{QStringLiteral(":at"), toDbTime(at)},
                   {QStringLiteral(":actor"), entry.actor},
                   {QStringLiteral(":user"), idOrNull(entry.userId)},
                   {QStringLiteral(":session"), idOrNull(entry.sessionId)},
                   {QStringLiteral(":action"), entry.action},
                   {QStringLiteral(":target"), textOrEmpty(entry.target)},
                   {QStringLiteral(":outcome"), entry.outcome},
                   {QStringLiteral(":detail"), textOrEmpty(entry.detail)}});
    query.exec();
}

std::vector<AuditEntry> AuditLog::latest(int limit) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT at, actor, COALESCE(user_id, 0), COALESCE(session_id, 0),"
                                  " action, target, outcome, detail FROM audit_log"
                                  " ORDER BY id DESC LIMIT :limit"),
                   QStringLiteral("read the audit log"));
    query.bind(QStringLiteral(":limit"), limit);
    query.exec();
    std::vector<AuditEntry> entries;
    while (query.next()) {
        AuditEntry entry;
        entry.at = fromDbTime(query.value(0).toString());
        entry.actor = query.value(1).toString();
        entry.userId = query.value(2).toLongLong();
        entry.sessionId = query.value(3).toLongLong();
        entry.action = query.value(4).toString();
        entry.target = query.value(5).toString();
        entry.outcome = query.value(6).toString();
        entry.detail = query.value(7).toString();
        entries.push_back(entry);
    }
    return entries;
}

} // namespace digitdesk::storage
