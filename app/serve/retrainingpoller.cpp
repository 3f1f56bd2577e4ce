#include "app/serve/retrainingpoller.h"

#include "annotation/principal.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "storage/connection.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QProcess>

#include <cerrno>
#include <csignal>
#include <memory>

namespace digitdesk::app {
namespace {

bool isAlive(qint64 pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

} // namespace

RetrainingPoller::RetrainingPoller(QString workspaceRoot, QString databasePath,
                                   std::chrono::seconds interval, Log log)
    : m_root(std::move(workspaceRoot)), m_databasePath(std::move(databasePath)),
      m_interval(interval), m_log(std::move(log))
{}

RetrainingPoller::~RetrainingPoller()
{
    stop();
}

void RetrainingPoller::start()
{
    if (m_interval.count() > 0) {
        m_thread = std::thread([this] { poll(); });
    }
}

void RetrainingPoller::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void RetrainingPoller::poll()
{
    std::unique_ptr<storage::Connection> connection;
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, m_interval);
        // The detached child is not ours to reap; a pid still alive means it still works.
        if (m_stopping || isAlive(m_childPid)) {
            continue;
        }
        lock.unlock();
        try {
            if (!connection) {
                connection = std::make_unique<storage::Connection>(m_databasePath);
            }
            annotation::TrainingRuns(connection->db(), m_root).markStaleRuns();
            const annotation::RetrainingCheck check =
                annotation::RetrainingPolicy(connection->db())
                    .due(annotation::Principal::localOperator());
            if (check.due) {
                startRetraining(check.reason);
            }
        } catch (const std::exception &failure) {
            m_log(QStringLiteral("retraining policy not checked: %1")
                      .arg(QString::fromUtf8(failure.what())));
        }
        lock.lock();
    }
}

void RetrainingPoller::startRetraining(const QString &reason)
{
    const QString log = QDir(m_root).filePath(
        QStringLiteral("logs/retrain-%1.log")
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    QDir().mkpath(QDir(m_root).filePath(QStringLiteral("logs")));
    QProcess process;
    // At a lower priority than the endpoint beside it: answers first, training with what is
    // left (nice execs into digitdesk, so the run's process is digitdesk itself).
    process.setProgram(QStringLiteral("nice"));
    process.setArguments({QStringLiteral("-n"), QStringLiteral("10"),
                          QCoreApplication::applicationFilePath(), QStringLiteral("retrain"),
                          QStringLiteral("--if-due"), QStringLiteral("--workspace"), m_root});
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(log, QIODevice::Append);
    process.setStandardErrorFile(log, QIODevice::Append);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        m_log(QStringLiteral("retraining is due (%1) but could not start: %2")
                  .arg(reason, process.errorString()));
        return;
    }
    m_log(QStringLiteral("retraining is due (%1): started `digitdesk retrain --if-due`, pid %2, "
                         "output in %3")
              .arg(reason)
              .arg(pid)
              .arg(log));
    const std::lock_guard lock(m_mutex);
    m_childPid = pid;
}

} // namespace digitdesk::app
