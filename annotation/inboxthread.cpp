#include "annotation/inboxthread.h"

#include "storage/blobstore.h"
#include "storage/connection.h"

#include <QDir>
#include <QThread>

namespace digitdesk::annotation {

// QThread::exec() rather than a QEventLoop: a quit() that comes before the loop runs is kept.
class InboxThread::WatcherThread final : public QThread
{
public:
    explicit WatcherThread(const InboxThread &owner) : m_owner(owner) {}

protected:
    void run() override
    {
        try {
            const storage::Connection connection(m_owner.m_databasePath);
            const storage::BlobStore blobs(QDir(m_owner.m_root).filePath(QStringLiteral("blobs")));
            InboxWatcher watcher(connection.db(), blobs, m_owner.m_root, m_owner.m_options,
                                 m_owner.m_log);
            watcher.start();
            exec();
            watcher.stop();
        } catch (const std::exception &error) {
            m_owner.m_log(
                QStringLiteral("the inbox stopped: %1").arg(QString::fromUtf8(error.what())));
        }
    }

private:
    const InboxThread &m_owner;
};

InboxThread::InboxThread(QString workspaceRoot, QString databasePath, InboxWatcherOptions options,
                         InboxWatcher::Log log)
    : m_root(std::move(workspaceRoot)), m_databasePath(std::move(databasePath)),
      m_options(std::move(options)), m_log(std::move(log))
{}

InboxThread::~InboxThread()
{
    stop();
}

void InboxThread::start()
{
    if (m_thread) {
        return;
    }
    m_thread = std::make_unique<WatcherThread>(*this);
    m_thread->setObjectName(QStringLiteral("inbox"));
    m_thread->start();
}

void InboxThread::stop()
{
    if (!m_thread) {
        return;
    }
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
}

} // namespace digitdesk::annotation
