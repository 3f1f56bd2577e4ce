#pragma once

#include "annotation/servingcapture.h"

#include <QString>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace digitdesk::app {

class PredictionTally;
class ServingMetrics;
class ShadowTally;
class SloLedger;

// How much the writer holds before it drops captures, and how often it saves the per-minute
// counts and recomputes the drift gauges.
struct StorageWriterLimits
{
    size_t maxQueued = 10000;
    size_t maxQueuedBytes = 256u << 20;
    std::chrono::milliseconds flushInterval{5000};
};

// The endpoint's one writer: captured images, images two models disagree on, the SLO's
// per-minute counts, the answers' and the shadow's per-minute tallies and a stopped canary go
// to the workspace from this thread, grouped into transactions, so that a request never waits
// for the database; after each flush it recomputes /metrics' drift gauges. A full queue drops
// captures (counted) rather than slowing answers down.
class StorageWriter final
{
public:
    using Log = std::function<void(const QString &)>;

    StorageWriter(QString workspaceRoot, QString databasePath, SloLedger &ledger,
                  PredictionTally &tally, ShadowTally &shadow, ServingMetrics &metrics, Log log,
                  StorageWriterLimits limits = {});
    ~StorageWriter();
    StorageWriter(const StorageWriter &) = delete;
    StorageWriter &operator=(const StorageWriter &) = delete;

    void start();
    // Returns at once; false when the image was dropped.
    bool capture(annotation::CapturedImage image);
    // As capture(), for an image production and the candidate answered differently.
    bool disagree(annotation::ShadowDisagreement disagreement);
    // Records, at once, that the endpoint stopped the canary of this candidate and why.
    void stopCanary(qint64 candidateId, QString reason);
    // Writes what is queued, then ends the thread.
    void stop();

private:
    void run();
    void write(const QSqlDatabase &db, const std::vector<annotation::CapturedImage> &images);
    void write(const QSqlDatabase &db,
               const std::vector<annotation::ShadowDisagreement> &disagreements);
    void writeCanaryStop(const QSqlDatabase &db, qint64 candidateId, const QString &reason);
    void saveMinutes(const QSqlDatabase &db);
    void updateDrift(const QSqlDatabase &db);

    const QString m_root;
    const QString m_databasePath;
    SloLedger &m_ledger;
    PredictionTally &m_tally;
    ShadowTally &m_shadow;
    ServingMetrics &m_metrics;
    const Log m_log;
    const StorageWriterLimits m_limits;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<annotation::CapturedImage> m_queue;
    std::vector<annotation::ShadowDisagreement> m_disagreements;
    std::optional<std::pair<qint64, QString>> m_canaryStop;
    size_t m_queuedBytes = 0;
    bool m_stopping = false;
    QString m_driftProblem; // the last reason the drift gauges could not be computed
    std::thread m_thread;
};

} // namespace digitdesk::app
