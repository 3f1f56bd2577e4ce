#include "annotation/authservice.h"

#include "annotation/passwordhasher.h"
#include "storage/auditlog.h"
#include "storage/leaserepository.h"
#include "storage/sessionrepository.h"
#include "storage/settingsrepository.h"
#include "storage/transaction.h"
#include "storage/userrepository.h"

#include <algorithm>

namespace digitdesk::annotation {
namespace {

const QString &dummyHash()
{
    static const QString hash = PasswordHasher::hash(QStringLiteral("not a real password"));
    return hash;
}

int lockSecondsAfter(int failures)
{
    if (failures < AuthService::FreeAttempts) {
        return 0;
    }
    const int exponent = std::min(failures - AuthService::FreeAttempts + 1, 16);
    return std::min(1 << exponent, AuthService::MaxLockSeconds);
}

} // namespace

AuthService::AuthService(const QSqlDatabase &db, Clock clock) : m_db(db), m_clock(std::move(clock))
{}

QDateTime AuthService::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

LoginResult AuthService::login(const QString &name, const QString &password, const QString &client)
{
    storage::UserRepository users(m_db);
    storage::AuditLog audit(m_db);
    const QDateTime at = now();
    LoginResult result;

    const auto user = users.findByName(name);
    // A name that is no user's is throttled as a user's would be, with the same words, so
    // neither the messages nor the waits tell which names exist.
    const storage::NameThrottle throttle =
        user ? storage::NameThrottle{user->failedLogins, user->lockedUntil}
             : users.nameThrottle(name);
    if (throttle.lockedUntil.isValid() && throttle.lockedUntil > at) {
        const qint64 seconds = std::max<qint64>(1, at.secsTo(throttle.lockedUntil));
        audit.append(
            {at, name, user ? user->id : 0, 0, QStringLiteral("login"), name,
             QStringLiteral("denied"),
             QStringLiteral("rate limited after %1 failed logins").arg(throttle.failedLogins)});
        result.status = LoginResult::Status::RateLimited;
        result.retryAfter = throttle.lockedUntil;
        result.message = QStringLiteral("Too many failed logins for %1: try again in %2 s.")
                             .arg(name)
                             .arg(seconds);
        return result;
    }
    // Verifying against a dummy hash keeps an unknown name as slow as a wrong password.
    const bool verified = PasswordHasher::verify(user ? user->passwordHash : dummyHash(), password);
    if (!user || !verified) {
        result.message = QStringLiteral("Wrong user name or password.") +
                         recordFailure(name, user ? user->id : 0, throttle.failedLogins,
                                       QStringLiteral("login"), 0);
        return result;
    }
    if (user->disabled) {
        audit.append({at, name, user->id, 0, QStringLiteral("login"), name,
                      QStringLiteral("denied"), QStringLiteral("account disabled")});
        result.status = LoginResult::Status::Disabled;
        result.message = QStringLiteral("The account %1 is disabled; ask an admin.").arg(name);
        return result;
    }

    storage::Transaction transaction(m_db);
    if (user->failedLogins > 0) {
        users.clearFailedLogins(user->id);
    }
    if (PasswordHasher::needsRehash(user->passwordHash)) {
        users.setPasswordHash(user->id, PasswordHasher::hash(password));
    }
    const qint64 sessionId = storage::SessionRepository(m_db).open(user->id, client, at);
    audit.append({at, name, user->id, sessionId, QStringLiteral("login"), name,
                  QStringLiteral("ok"), client});
    transaction.commit();

    result.status = LoginResult::Status::Ok;
    result.principal = {user->name, roleFromString(user->role).value_or(Role::Annotator), user->id,
                        sessionId};
    return result;
}

QString AuthService::recordFailure(const QString &name, qint64 userId, int failedBefore,
                                   const QString &action, qint64 sessionId)
{
    const QDateTime at = now();
    storage::Transaction transaction(m_db);
    storage::UserRepository users(m_db);
    // Counted from the row as it is inside the transaction, not as it was read before the
    // password check: failed logins at the same moment from two places each count.
    int counted = failedBefore;
    if (userId == 0) {
        counted = users.nameThrottle(name).failedLogins;
    } else if (const auto current = users.findById(userId)) {
        counted = current->failedLogins;
    }
    const int failures = counted + 1;
    const int lockSeconds = lockSecondsAfter(failures);
    const QDateTime lockedUntil = lockSeconds > 0 ? at.addSecs(lockSeconds) : QDateTime();
    if (userId != 0) {
        users.recordFailedLogin(userId, failures, lockedUntil);
    } else {
        users.recordFailedNameLogin(name, failures, lockedUntil);
    }
    storage::AuditLog(m_db).append(
        {at, name, userId, sessionId, action, name, QStringLiteral("failed"),
         QStringLiteral("%1 (%2 in a row)")
             .arg(userId != 0 ? QStringLiteral("wrong password") : QStringLiteral("unknown user"))
             .arg(failures)});
    transaction.commit();
    return lockSeconds > 0 ? QStringLiteral(" Next attempt in %1 s.").arg(lockSeconds) : QString();
}

void AuthService::logout(const Principal &who, const QString &reason)
{
    if (who.sessionId == 0) {
        return;
    }
    const QDateTime at = now();
    storage::Transaction transaction(m_db);
    // Leases go back even when the session was closed already (idle, elsewhere).
    storage::LeaseRepository(m_db).releaseLeasesOf(who.userId, who.sessionId);
    const auto session = storage::SessionRepository(m_db).find(who.sessionId);
    if (!session || session->endedAt.isValid()) {
        transaction.commit();
        return;
    }
    storage::SessionRepository(m_db).close(who.sessionId, reason, at);
    storage::AuditLog(m_db).append({at, who.name, who.userId, who.sessionId,
                                    QStringLiteral("logout"), who.name, QStringLiteral("ok"),
                                    reason});
    transaction.commit();
}

int AuthService::idleTimeoutSeconds() const
{
    return storage::SettingsRepository(m_db).intValue(QString::fromLatin1(IdleTimeoutSetting),
                                                      DefaultIdleTimeoutSeconds);
}

bool AuthService::touch(const Principal &who)
{
    if (who.sessionId == 0) {
        return true;
    }
    storage::SessionRepository sessions(m_db);
    const auto session = sessions.find(who.sessionId);
    if (!session || session->endedAt.isValid()) {
        return false;
    }
    const QDateTime at = now();
    if (session->lastSeenAt.secsTo(at) > idleTimeoutSeconds()) {
        closeIdle(who);
        return false;
    }
    sessions.touch(who.sessionId, at);
    return true;
}

void AuthService::closeIdle(const Principal &who)
{
    if (who.sessionId == 0) {
        return;
    }
    const QDateTime at = now();
    storage::Transaction transaction(m_db);
    storage::SessionRepository(m_db).close(who.sessionId, QStringLiteral("idle"), at);
    storage::LeaseRepository(m_db).releaseLeasesOf(who.userId, who.sessionId);
    storage::AuditLog(m_db).append({at, who.name, who.userId, who.sessionId,
                                    QStringLiteral("logout"), who.name, QStringLiteral("ok"),
                                    QStringLiteral("idle timeout")});
    transaction.commit();
}

LoginResult AuthService::unlock(const Principal &who, const QString &password)
{
    storage::AuditLog audit(m_db);
    const QDateTime at = now();
    LoginResult result;
    const auto user = storage::UserRepository(m_db).findById(who.userId);
    const auto session = storage::SessionRepository(m_db).find(who.sessionId);
    const auto refuse = [&](LoginResult::Status status, const QString &message,
                            const QString &detail) {
        audit.append({at, who.name, who.userId, who.sessionId, QStringLiteral("unlock"), who.name,
                      QStringLiteral("denied"), detail});
        result.status = status;
        result.message = message;
        return result;
    };
    if (!user || !session || session->endedAt.isValid()) {
        return refuse(LoginResult::Status::SessionEnded,
                      QStringLiteral("This session has ended; log in again."),
                      QStringLiteral("session ended"));
    }
    if (user->lockedUntil.isValid() && user->lockedUntil > at) {
        result.retryAfter = user->lockedUntil;
        return refuse(
            LoginResult::Status::RateLimited,
            QStringLiteral("Too many wrong passwords for %1: try again in %2 s.")
                .arg(who.name)
                .arg(std::max<qint64>(1, at.secsTo(user->lockedUntil))),
            QStringLiteral("rate limited after %1 failed logins").arg(user->failedLogins));
    }
    if (!PasswordHasher::verify(user->passwordHash, password)) {
        result.message = QStringLiteral("Wrong password.") +
                         recordFailure(who.name, who.userId, user->failedLogins,
                                       QStringLiteral("unlock"), who.sessionId);
        return result;
    }
    if (user->disabled) {
        return refuse(LoginResult::Status::Disabled,
                      QStringLiteral("The account %1 is disabled; ask an admin.").arg(who.name),
                      QStringLiteral("account disabled"));
    }
    storage::Transaction transaction(m_db);
    if (user->failedLogins > 0) {
        storage::UserRepository(m_db).clearFailedLogins(user->id);
    }
    storage::SessionRepository(m_db).touch(who.sessionId, at);
    audit.append({at,
                  who.name,
                  who.userId,
                  who.sessionId,
                  QStringLiteral("unlock"),
                  who.name,
                  QStringLiteral("ok"),
                  {}});
    transaction.commit();
    result.status = LoginResult::Status::Ok;
    result.principal = who;
    return result;
}

} // namespace digitdesk::annotation
