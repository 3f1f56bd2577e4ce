#pragma once

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

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
