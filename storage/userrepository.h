#pragma once

#include "storage/sqlquery.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct UserRecord
{
    qint64 id = 0;
    QString name;
    QString passwordHash;
    QString role;
    bool disabled = false;
    int failedLogins = 0;
    QDateTime lockedUntil; // invalid when not locked
    QDateTime createdAt;
    QString createdBy;
};

// What a permission check needs to know now, read in one indexed query: the user's role and
// whether they are disabled, and whether the given login session is theirs and still open.
struct UserStanding
{
    QString role;
    bool disabled = false;
    bool sessionOpen = false;
    QString sessionEndReason; // "account disabled", "role changed", ... once it has ended
};

// Failed logins under a name that belongs to no user, counted as a user's would be.
struct NameThrottle
{
    int failedLogins = 0;
    QDateTime lockedUntil; // invalid when not locked
};

class UserRepository final
{
public:
    explicit UserRepository(const QSqlDatabase &db) : m_db(db) {}

    qint64 add(const QString &name, const QString &passwordHash, const QString &role,
               const QString &createdBy);
    std::optional<UserRecord> findByName(const QString &name) const;
    std::optional<UserRecord> findById(qint64 id) const;
    std::vector<UserRecord> list() const;
    qint64 count() const;

    void setPasswordHash(qint64 id, const QString &passwordHash);
    void setRole(qint64 id, const QString &role);
    void setDisabled(qint64 id, bool disabled);
    void recordFailedLogin(qint64 id, int failedLogins, const QDateTime &lockedUntil);
    void clearFailedLogins(qint64 id);

    NameThrottle nameThrottle(const QString &name) const;
    void recordFailedNameLogin(const QString &name, int failedLogins, const QDateTime &lockedUntil);

private:
    QSqlDatabase m_db;
};

// Reads a UserStanding with one statement prepared once and kept: the permission check asks
// before every service action, and preparing costs three times what the read does.
class UserStandingReader final
{
public:
    explicit UserStandingReader(const QSqlDatabase &db);

    // nullopt when there is no such user; sessionId 0 asks about the user alone.
    std::optional<UserStanding> read(qint64 userId, qint64 sessionId);

private:
    SqlQuery m_query;
};

} // namespace digitdesk::storage
