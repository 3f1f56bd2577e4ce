#include "annotation/inboxwatcher.h"

#include "annotation/inbox.h"
#include "storage/transaction.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QSysInfo>

namespace digitdesk::annotation {
namespace {

const QString LockName = QStringLiteral(".digitdesk-inbox.lock");
// A notification comes for each file of a burst: one scan takes them all.
constexpr int NotificationDelayMs = 10;

} // namespace

InboxWatcher::InboxWatcher(const QSqlDatabase &db, const storage::BlobStore &blobs,
                           const QString &workspaceRoot, InboxWatcherOptions options, Log log,
                           QObject *parent)
    : QObject(parent), m_db(db), m_options(std::move(options)), m_log(std::move(log)),
      m_processor(db, blobs, workspaceRoot, Principal::localOperator()),
      m_scanner(InboxSettings::DefaultSettleMs), m_watcher(this)
{
    m_options.batchFiles = std::max(1, m_options.batchFiles);
    m_scanTimer.setSingleShot(true);
    m_batchTimer.setSingleShot(true);
    connect(&m_tick, &QTimer::timeout, this, &InboxWatcher::tick);
    connect(&m_scanTimer, &QTimer::timeout, this, &InboxWatcher::scan);
    connect(&m_batchTimer, &QTimer::timeout, this, &InboxWatcher::processBatch);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this,
            [this] { scheduleScan(NotificationDelayMs); });
    m_status.host = QSysInfo::machineHostName();
    m_status.pid = QCoreApplication::applicationPid();
}

InboxWatcher::~InboxWatcher() = default;

void InboxWatcher::start()
{
    m_clock.start();
    m_status.startedAt = QDateTime::currentDateTimeUtc();
    tick();
    m_tick.start(m_options.tickMs);
}

void InboxWatcher::stop()
{
    m_tick.stop();
    m_scanTimer.stop();
    m_batchTimer.stop();
    useFolder({});
    writeStatus(QStringLiteral("stopped"));
}

void InboxWatcher::tick()
{
    const InboxSettings settings = InboxSettings::read(m_db);
    m_scanner.setSettleMs(settings.settleMs);
    m_rescanMs = settings.rescanSeconds * 1000;
    const QString folder = m_options.path.isEmpty() ? settings.path : m_options.path;
    m_status.path = folder;
    if (!settings.enabled) {
        m_lockedOut = false;
        if (m_enabled) {
            m_log(QStringLiteral("paused: %1 is 0").arg(QString::fromLatin1(InboxEnabledSetting)));
        }
        m_enabled = false;
        useFolder({});
        writeStatus(QStringLiteral("paused"));
        return;
    }
    if (!m_enabled) {
        m_log(QStringLiteral("watching %1").arg(folder));
    }
    m_enabled = true;
    if (folder != m_folder) {
        useFolder({});
    }
    if (folder.isEmpty()) {
        setError(QStringLiteral("no inbox folder: set %1 (`digitdesk settings set %1 DIR`)")
                     .arg(QString::fromLatin1(InboxPathSetting)));
        writeStatus(QStringLiteral("waiting"));
        return;
    }
    if (!QFileInfo(folder).isDir()) {
        useFolder({}); // watched and locked again once it is back
        setError(QStringLiteral("the inbox folder %1 does not exist").arg(folder));
        writeStatus(QStringLiteral("waiting"));
        return;
    }
    if (m_folder.isEmpty()) {
        useFolder(folder);
        if (!takeLock()) {
            useFolder({});
            writeStatus(QStringLiteral("waiting"));
            return;
        }
        m_lastScanMs = -1;
    }
    if (m_lastScanMs < 0 || m_clock.elapsed() - m_lastScanMs >= m_rescanMs) {
        scheduleScan(0);
    }
    writeStatus(QStringLiteral("watching"));
}

void InboxWatcher::useFolder(const QString &folder)
{
    if (!m_watcher.directories().isEmpty()) {
        m_watcher.removePaths(m_watcher.directories());
    }
    m_lock.reset();
    m_ready.clear();
    m_readySet.clear();
    m_scanner = InboxScanner(m_scanner.settleMs());
    m_folder = folder;
    if (!folder.isEmpty() && m_options.notifications && !m_watcher.addPath(folder)) {
        setError(QStringLiteral("no change notifications for %1; the rescan every %2 s finds "
                                "new files")
                     .arg(folder)
                     .arg(m_rescanMs / 1000));
    }
}

bool InboxWatcher::takeLock()
{
    auto lock = std::make_unique<QLockFile>(QDir(m_folder).filePath(LockName));
    lock->setStaleLockTime(0); // a lock whose process is gone is taken over
    if (lock->tryLock(0)) {
        m_lock = std::move(lock);
        m_lockedOut = false;
        return true;
    }
    qint64 pid = 0;
    QString host;
    QString application;
    if (lock->error() == QLockFile::LockFailedError &&
        lock->getLockInfo(&pid, &host, &application)) {
        setError(QStringLiteral("another process (pid %1 on %2) watches %3")
                     .arg(pid)
                     .arg(host, m_folder));
    } else {
        setError(QStringLiteral("cannot lock %1 in %2").arg(LockName, m_folder));
    }
    return false;
}

void InboxWatcher::scheduleScan(int delayMs)
{
    if (!m_scanTimer.isActive() || m_scanTimer.remainingTime() > delayMs) {
        m_scanTimer.start(delayMs);
    }
}

void InboxWatcher::scan()
{
    if (m_folder.isEmpty() || !m_lock) {
        return;
    }
    if (!m_ready.isEmpty()) {
        m_rescanWanted = true; // after the burst: listing the folder per batch costs too much
        return;
    }
    m_lastScanMs = m_clock.elapsed();
    const InboxScanner::Scan found = m_scanner.scan(m_folder, m_lastScanMs);
    for (const QString &path : found.complete) {
        if (!m_readySet.contains(path)) {
            m_readySet.insert(path);
            m_ready << path;
        }
    }
    m_waiting = found.waiting;
    if (found.recheckInMs) {
        scheduleScan(static_cast<int>(*found.recheckInMs));
    }
    if (!m_ready.isEmpty()) {
        m_batchTimer.start(0);
    }
}

void InboxWatcher::processBatch()
{
    if (m_ready.isEmpty() || !m_lock) {
        return;
    }
    const QStringList batch = m_ready.mid(0, m_options.batchFiles);
    m_ready.remove(0, batch.size());
    InboxBatchReport report;
    try {
        report = m_processor.process(m_folder, batch);
    } catch (const std::exception &error) {
        report.problem = QString::fromUtf8(error.what());
        report.left = static_cast<int>(batch.size());
    }
    for (const QString &path : batch) {
        m_readySet.remove(path);
        m_scanner.forget(path);
    }
    m_log(QStringLiteral("%1 imported, %2 already imported, %3 failed, %4 left; %5 predicted")
              .arg(report.imported)
              .arg(report.alreadyImported)
              .arg(report.failed)
              .arg(report.left)
              .arg(report.predicted));
    if (!report.problem.isEmpty()) {
        setError(report.problem);
    } else if (!report.lastFailure.isEmpty()) {
        setError(report.lastFailure);
    }
    writeStatus(QStringLiteral("watching"));
    if (!m_ready.isEmpty()) {
        m_batchTimer.start(0);
    } else if (m_rescanWanted) {
        m_rescanWanted = false;
        scheduleScan(0);
    }
}

void InboxWatcher::setError(const QString &message)
{
    if (message != m_shownError) {
        m_log(message);
        m_shownError = message;
    }
    m_status.lastError = message;
    m_status.lastErrorAt = QDateTime::currentDateTimeUtc();
}

void InboxWatcher::writeStatus(const QString &state)
{
    if (m_lockedOut) {
        return;
    }
    m_status.state = state;
    m_status.waiting = m_waiting + m_ready.size();
    m_status.heartbeatAt = QDateTime::currentDateTimeUtc();
    try {
        storage::Transaction transaction(m_db);
        storage::InboxRepository(m_db).writeStatus(m_status);
        transaction.commit();
    } catch (const std::exception &error) {
        m_log(QStringLiteral("cannot record the inbox's state: %1")
                  .arg(QString::fromUtf8(error.what())));
    }
}

} // namespace digitdesk::annotation
