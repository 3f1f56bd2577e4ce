#include "ui/sessionwatch.h"

#include "annotation/accesscontrol.h"
#include "storage/connection.h"

#include <memory>

namespace digitdesk::ui {

// The check itself, on the watch's thread with its own connection: one indexed read.
class SessionCheck final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionCheck)

public:
    SessionCheck(QString databasePath, annotation::Principal who)
        : m_databasePath(std::move(databasePath)), m_who(std::move(who))
    {}

    void check()
    {
        try {
            if (!m_access) {
                m_connection = std::make_unique<storage::Connection>(m_databasePath);
                m_access = std::make_unique<annotation::AccessControl>(m_connection->db());
            }
            const annotation::Standing now = m_access->standing(m_who);
            Q_EMIT checked(static_cast<int>(now.role), now.ended);
        } catch (const std::exception &error) {
            Q_EMIT failed(QString::fromUtf8(error.what()));
        }
    }

Q_SIGNALS:
    void checked(int role, const QString &ended);
    void failed(const QString &reason);

private:
    QString m_databasePath;
    annotation::Principal m_who;
    // Declared first, so destroyed last: the prepared statement goes before its connection.
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<annotation::AccessControl> m_access;
};

SessionWatch::SessionWatch(const QString &databasePath, annotation::Principal who, QObject *parent)
    : QObject(parent), m_who(std::move(who)), m_check(new SessionCheck(databasePath, m_who))
{
    m_check->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_check, &QObject::deleteLater);
    connect(this, &SessionWatch::requestCheck, m_check, &SessionCheck::check);
    connect(m_check, &SessionCheck::checked, this, &SessionWatch::handleChecked);
    connect(m_check, &SessionCheck::failed, this, &SessionWatch::handleFailed);
    m_thread.setObjectName(QStringLiteral("session watch"));
    m_thread.start(QThread::LowPriority);
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &SessionWatch::checkSoon);
    m_timer.start();
}

SessionWatch::~SessionWatch()
{
    m_thread.quit();
    m_thread.wait();
}

void SessionWatch::setInterval(int ms)
{
    m_timer.start(ms);
}

void SessionWatch::checkSoon()
{
    if (m_ended) {
        return;
    }
    if (m_checking) {
        m_again = true;
        return;
    }
    m_checking = true;
    m_sinceCheck.start();
    Q_EMIT requestCheck();
}

void SessionWatch::checkAfterActivity()
{
    if (!m_sinceCheck.isValid() || m_sinceCheck.elapsed() >= MinGapMs) {
        checkSoon();
    }
}

void SessionWatch::handleChecked(int role, const QString &ended)
{
    m_checking = false;
    if (m_ended) {
        return;
    }
    if (!ended.isEmpty()) {
        m_ended = true;
        m_timer.stop();
        Q_EMIT sessionEnded(ended);
        return;
    }
    const auto now = static_cast<annotation::Role>(role);
    if (now != m_who.role) {
        m_who.role = now;
        Q_EMIT roleChanged(now);
    }
    if (m_again) {
        m_again = false;
        checkSoon();
    }
}

void SessionWatch::handleFailed(const QString &reason)
{
    // A busy or briefly unreadable database is no verdict: the next tick asks again.
    m_checking = false;
    qWarning("could not check the session of %s: %s", qPrintable(m_who.name), qPrintable(reason));
}

} // namespace digitdesk::ui

#include "sessionwatch.moc"
