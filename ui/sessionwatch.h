#pragma once

#include "annotation/principal.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThread>
#include <QTimer>

namespace digitdesk::ui {

class SessionCheck;

// Watches, off the GUI thread, whether the signed-in user may still act as they did at login:
// every few seconds and soon after each key or click. An admin elsewhere, in this process or
// another, may have disabled the account, changed its role or ended the session; the window
// hears of it within one interval instead of at the next refused action.
class SessionWatch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionWatch)

public:
    static constexpr int DefaultIntervalMs = 3000;
    // A key or click checks again only when the last check is at least this old.
    static constexpr int MinGapMs = 500;

    SessionWatch(const QString &databasePath, annotation::Principal who, QObject *parent = nullptr);
    ~SessionWatch() override;

    void setInterval(int ms);
    // Checks as soon as the running check (if any) is done: after an action, or after an
    // error that may have been a refusal.
    void checkSoon();
    // The same, unless a check started less than MinGapMs ago (for every key and click).
    void checkAfterActivity();

Q_SIGNALS:
    // The session can no longer act; `why` as SessionEnded::why() words it. Sent once.
    void sessionEnded(const QString &why);
    // The session goes on under another role, changed while it stayed open.
    void roleChanged(digitdesk::annotation::Role role);
    void requestCheck();

private:
    void handleChecked(int role, const QString &ended);
    void handleFailed(const QString &reason);

    annotation::Principal m_who;
    QThread m_thread;
    SessionCheck *m_check;
    QTimer m_timer;
    QElapsedTimer m_sinceCheck;
    bool m_checking = false;
    bool m_again = false;
    bool m_ended = false;
};

} // namespace digitdesk::ui
