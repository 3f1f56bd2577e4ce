#include "app/serve/modelwatcher.h"

#include "annotation/driftmonitor.h"
#include "annotation/modelregistry.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/servingsettings.h"
#include "models/predictor.h"
#include "storage/connection.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"

#include <algorithm>
#include <future>

namespace digitdesk::app {

ModelWatcher::ModelWatcher(QString workspaceRoot, QString databasePath,
                           models::DeviceRequest device, int instances, ServingMetrics &metrics,
                           Log log, Clock clock, Loader loader)
    : m_root(std::move(workspaceRoot)), m_databasePath(std::move(databasePath)), m_device(device),
      m_instances(std::max(1, instances)), m_metrics(metrics), m_log(std::move(log)),
      m_now(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      m_loader(loader ? std::move(loader)
                      : Loader([this](const QSqlDatabase &db, qint64 id) { return open(db, id); }))
{}

ModelWatcher::~ModelWatcher()
{
    stop();
}

void ModelWatcher::start()
{
    std::promise<void> firstPoll;
    std::future<void> firstPollDone = firstPoll.get_future();
    m_thread = std::thread([this, &firstPoll] { watch([&firstPoll] { firstPoll.set_value(); }); });
    firstPollDone.wait();
}

void ModelWatcher::stop()
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

std::shared_ptr<models::ServedModel> ModelWatcher::current() const
{
    const std::lock_guard lock(m_mutex);
    return m_current;
}

std::shared_ptr<models::ServedModel> ModelWatcher::candidate() const
{
    const std::lock_guard lock(m_mutex);
    return m_candidate;
}

std::shared_ptr<models::ServedModel> ModelWatcher::version(qint64 id) const
{
    const std::lock_guard lock(m_mutex);
    return loadedLocked(id);
}

std::shared_ptr<models::ServedModel> ModelWatcher::loadedLocked(qint64 id) const
{
    if (m_current && m_current->id == id) {
        return m_current;
    }
    if (m_candidate && m_candidate->id == id) {
        return m_candidate;
    }
    const auto pinned = m_pinned.find(id);
    return pinned == m_pinned.end() ? nullptr : pinned->second;
}

std::vector<LoadedModel> ModelWatcher::loaded() const
{
    const std::lock_guard lock(m_mutex);
    std::vector<LoadedModel> all;
    if (m_current) {
        all.push_back({m_current, "production"});
    }
    if (m_candidate) {
        all.push_back({m_candidate, "candidate"});
    }
    for (const auto &[id, model] : m_pinned) {
        all.push_back({model, "pinned"});
    }
    return all;
}

LiveSettings ModelWatcher::settings() const
{
    const std::lock_guard lock(m_mutex);
    return m_settings;
}

std::string ModelWatcher::problem() const
{
    const std::lock_guard lock(m_mutex);
    return m_problem;
}

std::string ModelWatcher::briefProblem() const
{
    const std::lock_guard lock(m_mutex);
    return m_briefProblem;
}

void ModelWatcher::watch(const std::function<void()> &firstPollDone)
{
    pollOnce();
    firstPollDone();
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, PollInterval);
        if (m_stopping) {
            break;
        }
        lock.unlock();
        pollOnce();
        lock.lock();
    }
    lock.unlock();
    m_connection.reset(); // closed by the thread that opened it
}

void ModelWatcher::pollOnce()
{
    try {
        if (!m_connection) {
            m_connection = std::make_unique<storage::Connection>(m_databasePath);
        }
        const QSqlDatabase db = m_connection->db();
        readSettings(db);
        const storage::ModelRepository repository(db);
        const auto target = repository.aliasTarget(annotation::ProductionAlias);
        if (target) {
            load(db, *target);
        }
        loadOthers(db, repository.aliasTarget(annotation::CandidateAlias));
        if (!target) {
            const std::lock_guard lock(m_mutex);
            if (!m_current) {
                m_problem = "no model is production yet: promote one with `digitdesk models "
                            "promote ID --reason TEXT` or the Models view";
                m_briefProblem = m_problem;
            }
        }
    } catch (const std::exception &failure) {
        // The workspace could not be read (locked, gone): nothing to load or to blame a model
        // for; the next poll tries again.
        reportUnreadable(failure);
    }
}

void ModelWatcher::readSettings(const QSqlDatabase &db)
{
    const storage::SettingsRepository settings(db);
    LiveSettings live;
    live.capture = settings.intValue(QString::fromLatin1(CaptureEnabledSetting), 1) != 0;
    bool ok = false;
    const double threshold =
        settings.value(QString::fromLatin1(CaptureThresholdSetting)).toDouble(&ok);
    live.captureThreshold = ok ? threshold : DefaultCaptureThreshold;
    live.token = settings.value(QString::fromLatin1(TokenSetting)).toStdString();
    live.experiment = annotation::ExperimentSettings::read(db);
    const std::lock_guard lock(m_mutex);
    m_settings = live;
}

void ModelWatcher::load(const QSqlDatabase &db, qint64 target)
{
    qint64 currentId = 0;
    {
        const std::lock_guard lock(m_mutex);
        currentId = m_current ? m_current->id : 0;
        if (!m_unreadable.empty()) {
            m_unreadable.clear();
            m_problem = m_failedProblem;
            m_briefProblem = m_failedBriefProblem;
        }
        if (target == currentId ||
            (target == m_failedId && m_now() - m_failedAt < RetryFailedAfter)) {
            return;
        }
    }
    std::shared_ptr<models::ServedModel> served;
    {
        const std::lock_guard lock(m_mutex);
        served = loadedLocked(target); // the candidate (or a pinned version) was promoted
    }
    try {
        if (!served) {
            served = m_loader(db, target);
        }
    } catch (const std::exception &failure) {
        reportLoadFailure(target, failure);
        return;
    }
    std::shared_ptr<models::ServedModel> previous;
    {
        const std::lock_guard lock(m_mutex);
        previous = std::move(m_current); // freed below, outside the lock, once unused
        m_current = served;
        m_problem.clear();
        m_failedProblem.clear();
        m_briefProblem.clear();
        m_failedBriefProblem.clear();
        m_failedId = 0;
    }
    previous.reset();
    if (!served->oodThreshold) {
        m_log(QStringLiteral("model %1 has no out-of-distribution threshold in its metrics: its "
                             "answers are not flagged")
                  .arg(target));
    }
    m_log(currentId == 0 ? QStringLiteral("serving model %1 on %2")
                               .arg(target)
                               .arg(QString::fromStdString(served->device))
                         : QStringLiteral("production moved: serving model %1 (was %2) on %3")
                               .arg(target)
                               .arg(currentId)
                               .arg(QString::fromStdString(served->device)));
}

std::shared_ptr<models::ServedModel> ModelWatcher::open(const QSqlDatabase &db, qint64 id) const
{
    auto served = std::make_shared<models::ServedModel>();
    const annotation::ModelRegistry registry(db, m_root);
    // The first batch of a fresh model is slow (allocations, kernel choice): run it here,
    // not on a client's request.
    const std::vector<uint8_t> blank(static_cast<size_t>(models::PixelCount), 0);
    for (int i = 0; i < m_instances; ++i) {
        served->instances.push_back(registry.openPredictor(id, m_device));
        served->instances.back()->predict(blank.data(), 1);
    }
    served->id = id;
    served->version = std::to_string(id);
    if (const auto threshold = annotation::oodThresholdFromMetrics(registry.find(id).metrics)) {
        served->oodThreshold = static_cast<float>(*threshold);
    }
    served->device = served->instances.front()->device().description.toStdString();
    return served;
}

void ModelWatcher::loadOthers(const QSqlDatabase &db, std::optional<qint64> candidate)
{
    std::vector<qint64> wanted; // candidate first, then pinned, within the version limit
    qint64 production = 0;
    int room = 0;
    {
        const std::lock_guard lock(m_mutex);
        production = m_current ? m_current->id : 0;
        room = std::max(0, m_settings.experiment.maxVersions - 1);
        if (candidate && *candidate != production) {
            wanted.push_back(*candidate);
        }
        for (qint64 id : m_settings.experiment.pinned) {
            if (id != production && std::find(wanted.begin(), wanted.end(), id) == wanted.end()) {
                wanted.push_back(id);
            }
        }
        if (static_cast<int>(wanted.size()) > room) {
            wanted.resize(static_cast<size_t>(room));
        }
    }
    std::map<qint64, std::shared_ptr<models::ServedModel>> loaded;
    for (qint64 id : wanted) {
        std::shared_ptr<models::ServedModel> model;
        {
            const std::lock_guard lock(m_mutex);
            model = loadedLocked(id);
            const auto failed = m_otherFailures.find(id);
            if (!model && failed != m_otherFailures.end() &&
                m_now() - failed->second < RetryFailedAfter) {
                continue;
            }
        }
        if (!model) {
            try {
                model = m_loader(db, id);
                m_log(QStringLiteral("loaded model %1 beside production (%2)")
                          .arg(id)
                          .arg(candidate && *candidate == id ? QStringLiteral("candidate")
                                                             : QStringLiteral("pinned")));
            } catch (const std::exception &failure) {
                {
                    const std::lock_guard lock(m_mutex);
                    m_otherFailures[id] = m_now();
                }
                m_metrics.recordModelLoadFailure();
                m_log(QStringLiteral("model %1 could not be loaded beside production: %2")
                          .arg(id)
                          .arg(QString::fromUtf8(failure.what())));
                continue;
            }
        }
        loaded[id] = std::move(model);
    }
    std::shared_ptr<models::ServedModel> previousCandidate;
    std::map<qint64, std::shared_ptr<models::ServedModel>> previousPinned;
    {
        const std::lock_guard lock(m_mutex);
        previousCandidate = std::move(m_candidate); // freed outside the lock, once unused
        previousPinned.swap(m_pinned);
        m_candidate = nullptr;
        for (auto &[id, model] : loaded) {
            if (candidate && *candidate == id) {
                m_candidate = model;
            } else {
                m_pinned[id] = model;
            }
            m_otherFailures.erase(id);
        }
    }
}

void ModelWatcher::reportLoadFailure(qint64 target, const std::exception &failure)
{
    QString message;
    {
        const std::lock_guard lock(m_mutex);
        const std::string model = "production model " + std::to_string(target);
        std::string problem = model + " could not be loaded: " + failure.what();
        // failure.what() names the model's file: only the log and authenticated clients see it.
        std::string brief = model + " could not be loaded: see the endpoint's log";
        if (m_current) {
            problem += "; model " + m_current->version + " goes on serving";
            brief += "; model " + m_current->version + " goes on serving";
        }
        const bool repeated = target == m_failedId && problem == m_failedProblem;
        m_failedId = target;
        m_failedAt = m_now();
        m_failedProblem = problem;
        m_problem = problem;
        m_failedBriefProblem = brief;
        m_briefProblem = brief;
        if (repeated) {
            return;
        }
        message = QString::fromStdString(problem);
    }
    m_metrics.recordModelLoadFailure();
    m_log(message);
}

void ModelWatcher::reportUnreadable(const std::exception &failure)
{
    QString message;
    {
        const std::lock_guard lock(m_mutex);
        const std::string problem =
            std::string("the workspace could not be read: ") + failure.what();
        if (problem == m_unreadable) {
            return;
        }
        m_unreadable = problem;
        if (!m_current) {
            m_problem = problem;
            m_briefProblem = "the workspace could not be read: see the endpoint's log";
        }
        message = QString::fromStdString(problem);
    }
    m_log(message);
}

} // namespace digitdesk::app
