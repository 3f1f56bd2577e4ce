#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace digitdesk::storage {

struct LoginSessionRecord
{
    qint64 id = 0;
    qint64 userId = 0;
    QString client;
    QDateTime startedAt;
    QDateTime lastSeenAt;
    QDateTime endedAt; // invalid while open
    QString endReason;
};

class SessionRepository final
{
public:
    explicit SessionRepository(const QSqlDatabase &db) : m_db(db) {}

    qint64 open(qint64 userId, const QString &client, const QDateTime &at);
    void touch(qint64 sessionId, const QDateTime &at);
    void close(qint64 sessionId, const QString &reason, const QDateTime &at);
    // Ends every open session of the user; returns how many there were.
    int closeAllOf(qint64 userId, const QString &reason, const QDateTime &at);
    std::optional<LoginSessionRecord> find(qint64 sessionId) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
