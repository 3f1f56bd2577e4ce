#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

namespace digitdesk::annotation {

// The watched inbox's workspace settings; `digitdesk watch` and `serve --watch-inbox` read them
// at start and again every second, so a change (from the GUI or `settings set`) needs no restart.
inline constexpr const char *InboxPathSetting = "inbox.path";
inline constexpr const char *InboxEnabledSetting = "inbox.enabled";
// How long a file's size and modification time must stay the same before it is taken; 0 for
// scanners that write to a temporary name (.tmp, .part, a leading dot) and rename.
inline constexpr const char *InboxSettleSetting = "inbox.settle-ms";
// The periodic rescan, for network filesystems whose change notifications get lost.
inline constexpr const char *InboxRescanSetting = "inbox.rescan-s";

struct InboxSettings
{
    static constexpr int DefaultSettleMs = 1000;
    static constexpr int MaxSettleMs = 600000;
    static constexpr int DefaultRescanSeconds = 5;
    static constexpr int MaxRescanSeconds = 3600;

    QString path;
    bool enabled = true;
    int settleMs = DefaultSettleMs;
    int rescanSeconds = DefaultRescanSeconds;

    static InboxSettings read(const QSqlDatabase &db);
};

// What the GUI shows of the inbox, read from the database so it works across processes.
struct InboxState
{
    QString path;
    bool enabled = true;
    bool running = false; // a watcher said it is alive within the last few seconds
    QString state;        // watching, paused, waiting (for the folder or its lock), stopped
    qint64 pid = 0;
    QString host;
    qint64 waiting = 0;
    qint64 importedToday = 0;
    qint64 failedToday = 0;
    QString lastError;
    QDateTime lastErrorAt;
};

// Starting and stopping the inbox: ml_engineer and admin, checked here and audited. Stopping sets
// inbox.enabled to 0, which the running watcher honours within a second and which outlives the
// GUI; starting sets it to 1.
class InboxControl final
{
public:
    // A watcher whose last heartbeat is older than this is taken for gone.
    static constexpr int AliveSeconds = 10;

    explicit InboxControl(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    InboxState state(const Principal &who) const;
    void setEnabled(const Principal &who, bool enabled) const;
    // An absolute folder; it need not exist yet (the watcher reports it until it does).
    void setPath(const Principal &who, const QString &path) const;

private:
    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
