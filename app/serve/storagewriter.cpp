#include "app/serve/storagewriter.h"

#include "annotation/driftmonitor.h"
#include "annotation/servingexperiment.h"
#include "app/serve/predictiontally.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/shadowtally.h"
#include "app/serve/sloledger.h"
#include "storage/blobstore.h"
#include "storage/connection.h"
#include "storage/servingminuterepository.h"
#include "storage/servingpredictionrepository.h"
#include "storage/shadowrepository.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QDir>

#include <exception>

#include <sys/resource.h>
#include <unistd.h>

namespace digitdesk::app {

StorageWriter::StorageWriter(QString workspaceRoot, QString databasePath, SloLedger &ledger,
                             PredictionTally &tally, ShadowTally &shadow, ServingMetrics &metrics,
                             Log log, StorageWriterLimits limits)
    : m_root(std::move(workspaceRoot)), m_databasePath(std::move(databasePath)), m_ledger(ledger),
      m_tally(tally), m_shadow(shadow), m_metrics(metrics), m_log(std::move(log)), m_limits(limits)
{}

StorageWriter::~StorageWriter()
{
    stop();
}

void StorageWriter::start()
{
    m_thread = std::thread([this] { run(); });
}

bool StorageWriter::capture(annotation::CapturedImage image)
{
    {
        const std::lock_guard lock(m_mutex);
        const size_t bytes = static_cast<size_t>(image.original.size() + image.pixels.size());
        if (m_stopping || m_queue.size() >= m_limits.maxQueued ||
            m_queuedBytes + bytes > m_limits.maxQueuedBytes) {
            m_metrics.recordCaptured(0, 1, 0);
            return false;
        }
        m_queuedBytes += bytes;
        m_queue.push_back(std::move(image));
    }
    m_wake.notify_one();
    return true;
}

bool StorageWriter::disagree(annotation::ShadowDisagreement disagreement)
{
    {
        const std::lock_guard lock(m_mutex);
        const annotation::CapturedImage &image = disagreement.production;
        const size_t bytes = static_cast<size_t>(image.original.size() + image.pixels.size());
        if (m_stopping || m_queue.size() + m_disagreements.size() >= m_limits.maxQueued ||
            m_queuedBytes + bytes > m_limits.maxQueuedBytes) {
            m_metrics.recordCaptured(0, 1, 0);
            return false;
        }
        m_queuedBytes += bytes;
        m_disagreements.push_back(std::move(disagreement));
    }
    m_wake.notify_one();
    return true;
}

void StorageWriter::stopCanary(qint64 candidateId, QString reason)
{
    {
        const std::lock_guard lock(m_mutex);
        m_canaryStop = std::make_pair(candidateId, std::move(reason));
    }
    m_wake.notify_one();
}

void StorageWriter::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void StorageWriter::run()
{
    // Writing is background work: answers waiting for a core come first. (Linux gives each
    // thread its own nice value; a failure leaves it at normal.)
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    std::unique_ptr<storage::Connection> connection;
    try {
        connection = std::make_unique<storage::Connection>(m_databasePath);
    } catch (const std::exception &failure) {
        m_log(QStringLiteral("the writer cannot open the workspace, so nothing is captured or "
                             "recorded: %1")
                  .arg(QString::fromUtf8(failure.what())));
        const std::lock_guard lock(m_mutex);
        m_stopping = true; // later captures are counted as dropped
        m_metrics.recordCaptured(0, static_cast<int>(m_queue.size()), 0);
        m_queue.clear();
        return;
    }
    const QSqlDatabase db = connection->db();
    updateDrift(db); // the workspace's history, before the first flush
    auto nextFlush = std::chrono::steady_clock::now() + m_limits.flushInterval;
    for (;;) {
        std::vector<annotation::CapturedImage> images;
        std::vector<annotation::ShadowDisagreement> disagreements;
        std::optional<std::pair<qint64, QString>> canaryStop;
        bool stopping = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextFlush, [this] {
                return m_stopping || !m_queue.empty() || !m_disagreements.empty() ||
                       m_canaryStop.has_value();
            });
            images.swap(m_queue);
            disagreements.swap(m_disagreements);
            canaryStop.swap(m_canaryStop);
            m_queuedBytes = 0;
            stopping = m_stopping;
        }
        if (canaryStop) {
            writeCanaryStop(db, canaryStop->first, canaryStop->second);
        }
        if (!images.empty()) {
            write(db, images);
        }
        if (!disagreements.empty()) {
            write(db, disagreements);
        }
        if (stopping || std::chrono::steady_clock::now() >= nextFlush) {
            saveMinutes(db);
            updateDrift(db);
            nextFlush = std::chrono::steady_clock::now() + m_limits.flushInterval;
        }
        if (stopping) {
            const std::lock_guard lock(m_mutex);
            if (m_queue.empty() && m_disagreements.empty() && !m_canaryStop) {
                return;
            }
        }
    }
}

void StorageWriter::write(const QSqlDatabase &db,
                          const std::vector<annotation::CapturedImage> &images)
{
    try {
        const storage::BlobStore blobs(QDir(m_root).filePath(QStringLiteral("blobs")));
        const int stored = annotation::ServingCapture(db, blobs).store(images);
        m_metrics.recordCaptured(stored, 0, 0);
    } catch (const std::exception &failure) {
        m_metrics.recordCaptured(0, 0, static_cast<int>(images.size()));
        m_log(QStringLiteral("could not store %1 captured images: %2")
                  .arg(images.size())
                  .arg(QString::fromUtf8(failure.what())));
    }
}

void StorageWriter::write(const QSqlDatabase &db,
                          const std::vector<annotation::ShadowDisagreement> &disagreements)
{
    try {
        const storage::BlobStore blobs(QDir(m_root).filePath(QStringLiteral("blobs")));
        const int stored = annotation::ServingCapture(db, blobs).storeDisagreements(disagreements);
        m_metrics.recordCaptured(stored, 0, 0);
    } catch (const std::exception &failure) {
        m_metrics.recordCaptured(0, 0, static_cast<int>(disagreements.size()));
        m_log(QStringLiteral("could not store %1 images the models disagree on: %2")
                  .arg(disagreements.size())
                  .arg(QString::fromUtf8(failure.what())));
    }
}

void StorageWriter::writeCanaryStop(const QSqlDatabase &db, qint64 candidateId,
                                    const QString &reason)
{
    try {
        storage::Transaction transaction(db);
        annotation::ServingExperiment::recordCanaryStop(db, candidateId, reason);
        transaction.commit();
    } catch (const std::exception &failure) {
        // The endpoint has stopped the canary in memory already; only the record is missing.
        m_log(QStringLiteral("could not record that the canary stopped: %1")
                  .arg(QString::fromUtf8(failure.what())));
    }
}

void StorageWriter::saveMinutes(const QSqlDatabase &db)
{
    const std::vector<storage::ServingMinute> minutes = m_ledger.takeUnsaved();
    const std::vector<storage::ServingPredictionCount> counts = m_tally.takeUnsaved();
    const std::vector<storage::ShadowAgreementCount> shadow = m_shadow.takeUnsaved();
    if (minutes.empty() && counts.empty() && shadow.empty()) {
        return;
    }
    try {
        storage::Transaction transaction(db);
        storage::ServingMinuteRepository(db).add(minutes);
        storage::ServingPredictionRepository(db).add(counts);
        storage::ShadowRepository(db).add(shadow);
        transaction.commit();
    } catch (const std::exception &failure) {
        m_ledger.restoreUnsaved(minutes);
        m_tally.restoreUnsaved(counts);
        m_shadow.restoreUnsaved(shadow);
        m_log(QStringLiteral("could not record the serving minutes (will retry): %1")
                  .arg(QString::fromUtf8(failure.what())));
    }
}

void StorageWriter::updateDrift(const QSqlDatabase &db)
{
    DriftGauges gauges;
    try {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        // The endpoint reads the figures as the operator, as the command line does.
        const annotation::DriftReport report = annotation::DriftMonitor(db).report(
            annotation::Principal::localOperator(), now.addSecs(-DriftWindow.count() * 60), now);
        gauges.computed = true;
        gauges.answers = report.answers;
        gauges.psi = report.psi.value;
        gauges.oodShare = report.oodShare.value;
        if (report.answers > 0) {
            gauges.lowConfidenceShare = report.lowConfidenceRate();
        }
        gauges.psiThreshold = report.psi.threshold;
        gauges.oodShareThreshold = report.oodShare.threshold;
        gauges.psiExceeded = report.psi.crossed;
        gauges.oodShareExceeded = report.oodShare.crossed;
        m_driftProblem.clear();
    } catch (const std::exception &failure) {
        const QString problem = QString::fromUtf8(failure.what());
        if (problem != m_driftProblem) {
            m_log(QStringLiteral("could not compute the drift figures: %1").arg(problem));
            m_driftProblem = problem;
        }
    }
    m_metrics.setDrift(gauges);
}

} // namespace digitdesk::app
