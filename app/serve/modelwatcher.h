#pragma once

#include "annotation/servingexperiment.h"
#include "models/computedevice.h"
#include "models/dynamicbatcher.h"

#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

namespace digitdesk::app {

class ServingMetrics;

// What the endpoint reads from the workspace's settings while it runs.
struct LiveSettings
{
    bool capture = true;
    double captureThreshold = 0.6;
    std::string token; // as stored (app/serve/servingtoken.h); empty: none configured
    annotation::ExperimentSettings experiment;
};

// A loaded model and why it is loaded.
struct LoadedModel
{
    std::shared_ptr<models::ServedModel> model;
    std::string role; // "production", "candidate" or "pinned"
};

// Serves the model the `production` alias names, and beside it the `candidate` and the
// versions an engineer pinned (up to the max-versions setting). A thread with its own
// connection looks at the aliases (and the serving settings) several times a second; when an
// alias moves it loads the new model beside the old one and swaps the pointer, so requests
// already holding the old model finish on it. A model that fails to load is reported and the
// old one goes on serving. Promoting the loaded candidate swaps pointers: nothing is reloaded.
class ModelWatcher final
{
public:
    using Log = std::function<void(const QString &)>;
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    // Opens registry model `id` ready to serve, or throws saying why it cannot.
    using Loader =
        std::function<std::shared_ptr<models::ServedModel>(const QSqlDatabase &db, qint64 id)>;
    static constexpr std::chrono::milliseconds PollInterval{200};
    static constexpr std::chrono::seconds RetryFailedAfter{30};

    // `instances`: one model instance per batcher worker (the shadow batcher's included).
    // `clock` and `loader` are for tests: by default the steady clock, and the registry's file
    // opened once per instance and warmed up.
    ModelWatcher(QString workspaceRoot, QString databasePath, models::DeviceRequest device,
                 int instances, ServingMetrics &metrics, Log log, Clock clock = {},
                 Loader loader = {});
    ~ModelWatcher();
    ModelWatcher(const ModelWatcher &) = delete;
    ModelWatcher &operator=(const ModelWatcher &) = delete;

    // Loads the production model (if any) before returning, then watches.
    void start();
    void stop();
    // One look at the workspace: reads the settings and the aliases, loads and swaps what
    // moved. The watching thread calls it; a test that never calls start() may call it instead
    // (the workspace connection belongs to the thread that polls first).
    void pollOnce();

    std::shared_ptr<models::ServedModel> current() const;
    // The candidate when it is loaded and is not production; null otherwise.
    std::shared_ptr<models::ServedModel> candidate() const;
    // The loaded version with this registry id; null when it is not loaded.
    std::shared_ptr<models::ServedModel> version(qint64 id) const;
    // Production first, then the candidate, then pinned versions by id.
    std::vector<LoadedModel> loaded() const;
    LiveSettings settings() const;
    // Why no model is loaded or the last load failed; empty when nothing went wrong.
    std::string problem() const;
    // The same without what only the log and authenticated clients may see (file paths), for
    // the health probes anyone may ask.
    std::string briefProblem() const;

private:
    void watch(const std::function<void()> &firstPollDone);
    void readSettings(const QSqlDatabase &db);
    void load(const QSqlDatabase &db, qint64 target);
    // Loads the candidate and pinned versions that should be, drops those that should not.
    void loadOthers(const QSqlDatabase &db, std::optional<qint64> candidate);
    std::shared_ptr<models::ServedModel> open(const QSqlDatabase &db, qint64 id) const;
    std::shared_ptr<models::ServedModel> loadedLocked(qint64 id) const;
    void reportLoadFailure(qint64 target, const std::exception &failure);
    void reportUnreadable(const std::exception &failure);

    const QString m_root;
    const QString m_databasePath;
    const models::DeviceRequest m_device;
    const int m_instances;
    ServingMetrics &m_metrics;
    const Log m_log;
    const Clock m_now;
    const Loader m_loader;
    std::unique_ptr<storage::Connection> m_connection; // the polling thread's
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::shared_ptr<models::ServedModel> m_current;
    std::shared_ptr<models::ServedModel> m_candidate;
    std::map<qint64, std::shared_ptr<models::ServedModel>> m_pinned;
    // Candidate or pinned versions that failed to load: id -> when (retried after a while).
    std::map<qint64, std::chrono::steady_clock::time_point> m_otherFailures;
    LiveSettings m_settings;
    std::string m_problem;            // what /v2/health/ready and the model metadata report
    std::string m_failedProblem;      // the last model that failed to load, and why
    std::string m_briefProblem;       // m_problem without paths
    std::string m_failedBriefProblem; // m_failedProblem without paths
    std::string m_unreadable;         // the workspace could not be read at the last poll
    qint64 m_failedId = 0;
    std::chrono::steady_clock::time_point m_failedAt;
    std::thread m_thread;
};

} // namespace digitdesk::app
