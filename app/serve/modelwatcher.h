#pragma once

#include "models/computedevice.h"
#include "models/dynamicbatcher.h"

#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace digitdesk::app {

class ServingMetrics;

// What the endpoint reads from the workspace's settings while it runs.
struct LiveSettings
{
    bool capture = true;
    double captureThreshold = 0.6;
    std::string token; // empty: none configured
};

// Serves the model the `production` alias names. A thread with its own connection looks at
// the alias (and the serving settings) several times a second; when the alias moves it loads
// the new model beside the old one and swaps the pointer, so requests already holding the old
// model finish on it. A model that fails to load is reported and the old one goes on serving.
class ModelWatcher final
{
public:
    using Log = std::function<void(const QString &)>;
    static constexpr std::chrono::milliseconds PollInterval{200};
    static constexpr std::chrono::seconds RetryFailedAfter{30};

    // `instances`: one model instance per batcher worker.
    ModelWatcher(QString workspaceRoot, QString databasePath, models::DeviceRequest device,
                 int instances, ServingMetrics &metrics, Log log);
    ~ModelWatcher();
    ModelWatcher(const ModelWatcher &) = delete;
    ModelWatcher &operator=(const ModelWatcher &) = delete;

    // Loads the production model (if any) before returning, then watches.
    void start();
    void stop();

    std::shared_ptr<models::ServedModel> current() const;
    LiveSettings settings() const;
    // Why no model is loaded or the last load failed; empty when nothing went wrong.
    std::string problem() const;

private:
    void watch(const std::function<void()> &firstPollDone);
    void readSettings(const QSqlDatabase &db);
    void load(const QSqlDatabase &db, qint64 target);
    void reportLoadFailure(qint64 target, const std::exception &failure);
    void reportUnreadable(const std::exception &failure);

    const QString m_root;
    const QString m_databasePath;
    const models::DeviceRequest m_device;
    const int m_instances;
    ServingMetrics &m_metrics;
    const Log m_log;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::shared_ptr<models::ServedModel> m_current;
    LiveSettings m_settings;
    std::string m_problem;       // what /v2/health/ready and the model metadata report
    std::string m_failedProblem; // the last model that failed to load, and why
    std::string m_unreadable;    // the workspace could not be read at the last poll
    qint64 m_failedId = 0;
    std::chrono::steady_clock::time_point m_failedAt;
    std::thread m_thread;
};

} // namespace digitdesk::app
