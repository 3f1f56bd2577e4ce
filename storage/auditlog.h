#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::storage {

struct AuditEntry
{
    QDateTime at;
    QString actor;     // user name, or "operator:<login>" for the command line
    qint64 userId = 0; // 0 when the actor is not a workspace user
    qint64 sessionId = 0;
    QString action;
    QString target;
    QString outcome; // "ok", "denied", "failed"
    QString detail;
};

// Append-only: the table refuses UPDATE and DELETE with triggers.
class AuditLog final
{
public:
    explicit AuditLog(const QSqlDatabase &db) : m_db(db) {}

    void append(const AuditEntry &entry);
    std::vector<AuditEntry> latest(int limit) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
