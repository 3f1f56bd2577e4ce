#include "storage/userrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString SelectUser = QStringLiteral(
    "SELECT id, name, password_hash, role, disabled, failed_logins, locked_until, created_at,"
    " created_by FROM users");

UserRecord readUser(const SqlQuery &query)
{
    UserRecord user;
    user.id = query.value(0).toLongLong();
    user.name = query.value(1).toString();
    user.passwordHash = query.value(2).toString();
    user.role = query.value(3).toString();
    user.disabled = query.value(4).toBool();
    user.failedLogins = query.value(5).toInt();
    if (!query.value(6).isNull()) {
        user.lockedUntil = fromDbTime(query.value(6).toString());
    }
    user.createdAt = fromDbTime(query.value(7).toString());
    user.createdBy = query.value(8).toString();
    return user;
}

} // namespace

qint64 UserRepository::add(const QString &name, const QString &passwordHash, const QString &role,
                           const QString &createdBy)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO users (name, password_hash, role, created_at,"
                                  " created_by) VALUES (:name, :hash, :role, :at, :by)"
                                  " RETURNING id"),
                   QStringLiteral("add user %1").arg(name));
    query.bindAll({{QStringLiteral(":name"), name},
                   {QStringLiteral(":hash"), passwordHash},
                   {QStringLiteral(":role"), role},
                   {QStringLiteral(":at"), nowDbTime()},
                   {QStringLiteral(":by"), createdBy}});
    return query.insertReturningId();
}

std::optional<UserRecord> UserRepository::findByName(const QString &name) const
{
    SqlQuery query(m_db, SelectUser + QStringLiteral(" WHERE name = :name"),
                   QStringLiteral("look up user %1").arg(name));
    query.bind(QStringLiteral(":name"), name);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readUser(query);
}

std::optional<UserRecord> UserRepository::findById(qint64 id) const
{
    SqlQuery query(m_db, SelectUser + QStringLiteral(" WHERE id = :id"),
                   QStringLiteral("look up user #%1").arg(id));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readUser(query);
}

std::vector<UserRecord> UserRepository::list() const
{
    SqlQuery query(m_db, SelectUser + QStringLiteral(" ORDER BY name"),
                   QStringLiteral("list users"));
    query.exec();
    std::vector<UserRecord> users;
    while (query.next()) {
        users.push_back(readUser(query));
    }
    return users;
}

qint64 UserRepository::count() const
{
    SqlQuery query(m_db, QStringLiteral("SELECT COUNT(*) FROM users"),
                   QStringLiteral("count users"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

void UserRepository::setPasswordHash(qint64 id, const QString &passwordHash)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE users SET password_hash = :hash WHERE id = :id"),
                   QStringLiteral("change the password of user #%1").arg(id));
    query.bindAll({{QStringLiteral(":hash"), passwordHash}, {QStringLiteral(":id"), id}});
    query.exec();
}

void UserRepository::setRole(qint64 id, const QString &role)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE users SET role = :role WHERE id = :id"),
                   QStringLiteral("change the role of user #%1").arg(id));
    query.bindAll({{QStringLiteral(":role"), role}, {QStringLiteral(":id"), id}});
    query.exec();
}

void UserRepository::setDisabled(qint64 id, bool disabled)
{
    SqlQuery query(m_db, QStringLiteral("UPDATE users SET disabled = :disabled WHERE id = :id"),
                   QStringLiteral("enable or disable user #%1").arg(id));
    query.bindAll({{QStringLiteral(":disabled"), disabled ? 1 : 0}, {QStringLiteral(":id"), id}});
    query.exec();
}

void UserRepository::recordFailedLogin(qint64 id, int failedLogins, const QDateTime &lockedUntil)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE users SET failed_logins = :failed, locked_until = :until"
                                  " WHERE id = :id"),
                   QStringLiteral("record a failed login of user #%1").arg(id));
    query.bindAll({{QStringLiteral(":failed"), failedLogins},
                   {QStringLiteral(":until"),
                    lockedUntil.isValid() ? QVariant(toDbTime(lockedUntil)) : QVariant()},
                   {QStringLiteral(":id"), id}});
    query.exec();
}

void UserRepository::clearFailedLogins(qint64 id)
{
    SqlQuery query(m_db,
                   QStringLiteral("UPDATE users SET failed_logins = 0, locked_until = NULL"
                                  " WHERE id = :id"),
                   QStringLiteral("clear failed logins of user #%1").arg(id));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
}

NameThrottle UserRepository::nameThrottle(const QString &name) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT failed_logins, locked_until FROM login_throttle"
                                  " WHERE name = :name"),
                   QStringLiteral("look up failed logins under the name %1").arg(name));
    query.bind(QStringLiteral(":name"), name);
    query.exec();
    NameThrottle throttle;
    if (query.next()) {
        throttle.failedLogins = query.value(0).toInt();
        if (!query.value(1).isNull()) {
            throttle.lockedUntil = fromDbTime(query.value(1).toString());
        }
    }
    return throttle;
}

void UserRepository::recordFailedNameLogin(const QString &name, int failedLogins,
                                           const QDateTime &lockedUntil)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO login_throttle (name, failed_logins, locked_until)"
                                  " VALUES (:name, :failed, :until) ON CONFLICT (name) DO UPDATE"
                                  " SET failed_logins = excluded.failed_logins,"
                                  " locked_until = excluded.locked_until"),
                   QStringLiteral("record a failed login under the name %1").arg(name));
    query.bindAll({{QStringLiteral(":name"), name},
                   {QStringLiteral(":failed"), failedLogins},
                   {QStringLiteral(":until"),
                    lockedUntil.isValid() ? QVariant(toDbTime(lockedUntil)) : QVariant()}});
    query.exec();
}

UserStandingReader::UserStandingReader(const QSqlDatabase &db)
    : m_query(db,
              // Both rows by primary key; the session must be the user's own.
              QStringLiteral("SELECT u.role, u.disabled, s.id, s.ended_at, s.end_reason"
                             " FROM users u LEFT JOIN login_sessions s"
                             " ON s.id = :session AND s.user_id = u.id WHERE u.id = :user"),
              QStringLiteral("read the role and session of a user"))
{}

std::optional<UserStanding> UserStandingReader::read(qint64 userId, qint64 sessionId)
{
    m_query.bindAll({{QStringLiteral(":session"), sessionId}, {QStringLiteral(":user"), userId}});
    m_query.exec();
    std::optional<UserStanding> standing;
    if (m_query.next()) {
        standing.emplace();
        standing->role = m_query.value(0).toString();
        standing->disabled = m_query.value(1).toBool();
        standing->sessionOpen = !m_query.value(2).isNull() && m_query.value(3).isNull();
        standing->sessionEndReason = m_query.value(4).toString();
    }
    // Reset, or the kept statement would hold its read snapshot open until the next call.
    m_query.raw().finish();
    return standing;
}

} // namespace digitdesk::storage
