#pragma once

#include <QString>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace digitdesk::app {

// The retraining policy's clock in `digitdesk serve`: a thread with its own connection asks
// the policy every `interval` whether a run is due and, when it is, starts `digitdesk retrain
// --if-due` as a detached process with its output in logs/, so serving never waits for
// training and goes on whatever happens to it. One child at a time; the child checks again and
// is refused while another run is running.
class RetrainingPoller final
{
public:
    using Log = std::function<void(const QString &)>;

    // An interval of zero turns the poller off.
    RetrainingPoller(QString workspaceRoot, QString databasePath, std::chrono::seconds interval,
                     Log log);
    ~RetrainingPoller();
    RetrainingPoller(const RetrainingPoller &) = delete;
    RetrainingPoller &operator=(const RetrainingPoller &) = delete;

    void start();
    void stop();

private:
    void poll();
    void startRetraining(const QString &reason);

    const QString m_root;
    const QString m_databasePath;
    const std::chrono::seconds m_interval;
    const Log m_log;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    qint64 m_childPid = 0;
    std::thread m_thread;
};

} // namespace digitdesk::app
