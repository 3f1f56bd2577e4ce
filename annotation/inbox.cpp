#include "annotation/inbox.h"

#include "annotation/userservice.h"
#include "storage/inboxrepository.h"
#include "storage/settingsrepository.h"

#include <QDir>

namespace digitdesk::annotation {

InboxSettings InboxSettings::read(const QSqlDatabase &db)
{
    const storage::SettingsRepository settings(db);
    InboxSettings read;
    read.path = settings.value(QString::fromLatin1(InboxPathSetting));
    read.enabled = settings.intValue(QString::fromLatin1(InboxEnabledSetting), 1) != 0;
    read.settleMs = static_cast<int>(settings.numberValue(QString::fromLatin1(InboxSettleSetting),
                                                          DefaultSettleMs, 0, MaxSettleMs));
    read.rescanSeconds = static_cast<int>(settings.numberValue(
        QString::fromLatin1(InboxRescanSetting), DefaultRescanSeconds, 1, MaxRescanSeconds));
    return read;
}

InboxState InboxControl::state(const Principal &who) const
{
    m_access.require(who, Action::ControlInbox);
    const InboxSettings settings = InboxSettings::read(m_db);
    const storage::InboxRepository inbox(m_db);
    InboxState state;
    state.path = settings.path;
    state.enabled = settings.enabled;
    state.state = QStringLiteral("stopped");
    if (const auto row = inbox.status()) {
        state.running = row->state != QStringLiteral("stopped") && row->heartbeatAt.isValid() &&
                        row->heartbeatAt.secsTo(QDateTime::currentDateTimeUtc()) < AliveSeconds;
        state.state = state.running ? row->state : QStringLiteral("stopped");
        state.pid = row->pid;
        state.host = row->host;
        state.waiting = row->waiting;
        state.lastError = row->lastError;
        state.lastErrorAt = row->lastErrorAt;
        if (!row->path.isEmpty()) {
            state.path = row->path;
        }
    }
    const storage::InboxCounts today =
        inbox.countsSince(QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC());
    state.importedToday = today.imported;
    state.failedToday = today.failed;
    return state;
}

void InboxControl::setEnabled(const Principal &who, bool enabled) const
{
    const QString key = QString::fromLatin1(InboxEnabledSetting);
    m_access.require(who, Action::ControlInbox, key);
    storage::SettingsRepository(m_db).setValue(key,
                                               enabled ? QStringLiteral("1") : QStringLiteral("0"));
    m_access.audit(who, Action::ControlInbox, key,
                   enabled ? QStringLiteral("inbox started") : QStringLiteral("inbox stopped"));
}

void InboxControl::setPath(const Principal &who, const QString &path) const
{
    const QString key = QString::fromLatin1(InboxPathSetting);
    m_access.require(who, Action::ControlInbox, key);
    if (!QDir::isAbsolutePath(path)) {
        throw InvalidRequest(
            QStringLiteral("%1 must be an absolute folder, not '%2'").arg(key, path));
    }
    const QString clean = QDir::cleanPath(path);
    storage::SettingsRepository(m_db).setValue(key, clean);
    m_access.audit(who, Action::ControlInbox, key,
                   QStringLiteral("inbox folder set to %1").arg(clean));
}

} // namespace digitdesk::annotation
