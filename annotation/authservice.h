#pragma once

#include "annotation/principal.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace digitdesk::annotation {

struct LoginResult
{
    enum class Status
    {
        Ok,
        WrongCredentials,
        RateLimited,
        Disabled,
        SessionEnded // unlocking a session that was ended meanwhile (elsewhere, or by an admin)
    };
    Status status = Status::WrongCredentials;
    Principal principal;  // valid when status is Ok
    QString message;      // what to tell the person, naming the reason
    QDateTime retryAfter; // when RateLimited
    bool ok() const { return status == Status::Ok; }
};

// Login, logout and idle timeout. A login opens a login-session row; every later action
// carries that session. Failed logins are counted per user: after FreeAttempts the account
// waits 2 s, then 4 s, 8 s, ... (at most MaxLockSeconds) before the next attempt is even
// checked, and each failure and refusal is audited.
class AuthService final
{
public:
    using Clock = std::function<QDateTime()>;
    static constexpr int FreeAttempts = 3;
    static constexpr int MaxLockSeconds = 300;
    static constexpr int DefaultIdleTimeoutSeconds = 900;
    static constexpr const char *IdleTimeoutSetting = "session.idle_timeout_seconds";

    explicit AuthService(const QSqlDatabase &db, Clock clock = {});

    LoginResult login(const QString &name, const QString &password, const QString &client);
    // Ends the session ("logout", or "quit" when the application closes) and gives back the
    // images leased to it, so they go to the next annotator at once.
    void logout(const Principal &who, const QString &reason = QStringLiteral("logout"));

    int idleTimeoutSeconds() const;
    // Records activity. Returns false, and closes the session as "idle", when the session
    // has been idle past the timeout or was closed; the person must then log in again.
    bool touch(const Principal &who);
    // Ends the session because the person went away (the GUI's idle timer fired).
    void closeIdle(const Principal &who);
    // Unlocks a locked screen: the password again, then the same session goes on (activity
    // recorded now). A wrong password counts as a failed login of the account and is
    // throttled like one; a session ended meanwhile cannot be unlocked.
    LoginResult unlock(const Principal &who, const QString &password);

private:
    QDateTime now() const;
    // Counts a wrong password against the account (userId 0: against the name, which is no
    // user's); returns the message to show.
    QString recordFailure(const QString &name, qint64 userId, int failedBefore,
                          const QString &action, qint64 sessionId);

    QSqlDatabase m_db;
    Clock m_clock;
};

} // namespace digitdesk::annotation
