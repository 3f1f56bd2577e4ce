#pragma once

#include "annotation/inboxwatcher.h"

#include <QString>

#include <memory>

namespace digitdesk::annotation {

// An InboxWatcher on its own thread, with its own connection to the workspace database: for
// `digitdesk watch` and `digitdesk serve --watch-inbox`, whose main threads wait for a signal.
// `log` is called on that thread.
class InboxThread final
{
public:
    InboxThread(QString workspaceRoot, QString databasePath, InboxWatcherOptions options,
                InboxWatcher::Log log);
    ~InboxThread();
    InboxThread(const InboxThread &) = delete;
    InboxThread &operator=(const InboxThread &) = delete;

    void start();
    // Finishes the batch in hand, records the state `stopped` and ends the thread.
    void stop();

private:
    class WatcherThread;

    QString m_root;
    QString m_databasePath;
    InboxWatcherOptions m_options;
    InboxWatcher::Log m_log;
    std::unique_ptr<WatcherThread> m_thread;
};

} // namespace digitdesk::annotation
