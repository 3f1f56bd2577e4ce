#pragma once

#include "annotation/inboxprocessor.h"
#include "annotation/inboxscanner.h"
#include "storage/inboxrepository.h"

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

class QLockFile;

namespace digitdesk::annotation {

struct InboxWatcherOptions
{
    QString path;              // empty: the inbox.path setting
    bool notifications = true; // false: only the periodic rescan sees new files
    int batchFiles = 64;       // files per import transaction
    int tickMs = 1000;         // settings read again, heartbeat written, rescan considered
};

// The watched inbox in one thread's event loop: QFileSystemWatcher (inotify) notices new files
// at once, a periodic rescan catches those whose notification was lost, complete files go
// through InboxProcessor a batch at a time (the event loop turns between batches, so a stop or
// a settings change is never stuck behind a burst), and its state goes to the inbox_status row
// every second. Only one process watches a folder: the others wait for its lock file.
class InboxWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxWatcher)

public:
    using Log = std::function<void(const QString &message)>;

    InboxWatcher(const QSqlDatabase &db, const storage::BlobStore &blobs,
                 const QString &workspaceRoot, InboxWatcherOptions options, Log log,
                 QObject *parent = nullptr);
    ~InboxWatcher() override;

    void start();
    // Records the state `stopped` and lets go of the folder.
    void stop();

private:
    void tick();
    void useFolder(const QString &folder);
    bool takeLock();
    void scheduleScan(int delayMs);
    void scan();
    void processBatch();
    void setError(const QString &message);
    void writeStatus(const QString &state);

    QSqlDatabase m_db;
    InboxWatcherOptions m_options;
    Log m_log;
    InboxProcessor m_processor;
    InboxScanner m_scanner;
    QFileSystemWatcher m_watcher;
    QTimer m_tick;
    QTimer m_scanTimer;
    QTimer m_batchTimer;
    QElapsedTimer m_clock;
    qint64 m_lastScanMs = -1;
    int m_rescanMs = 0;
    bool m_enabled = false;
    bool m_rescanWanted = false; // the folder changed while a burst was being taken
    bool m_lockedOut = false;    // another process watches the folder
    QString m_folder;
    std::unique_ptr<QLockFile> m_lock;
    QStringList m_ready;
    QSet<QString> m_readySet;
    qint64 m_waiting = 0;
    storage::InboxStatusRow m_status;
    QString m_shownError; // logged once, not every second
};

} // namespace digitdesk::annotation
