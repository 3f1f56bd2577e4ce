// ModelWatcher: the endpoint follows the registry's aliases. A model that fails to load is
// reported and the old one goes on serving; it is retried only after RetryFailedAfter, then
// swapped in; promoting the loaded candidate swaps pointers without loading it again. A fake
// clock and loader stand for time and model files; the workspace and its aliases are real.
#include "annotation/modelregistry.h"
#include "app/serve/modelwatcher.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/servingsettings.h"
#include "models/dynamicbatcher.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QStringList>
#include <QTest>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

using namespace digitdesk;
using app::ModelWatcher;
using namespace std::chrono_literals;

namespace {

const storage::ActorRef Operator{QStringLiteral("test"), 0, 0};

// Model files as the test wants them: every open is counted, and a model in `broken` fails.
class FakeModels final
{
public:
    std::shared_ptr<models::ServedModel> open(qint64 id)
    {
        const std::lock_guard lock(m_mutex);
        ++m_opens[id];
        if (m_broken.count(id) != 0) {
            throw std::runtime_error("models/" + std::to_string(id) + ".pt is not a model file");
        }
        auto served = std::make_shared<models::ServedModel>();
        served->id = id;
        served->version = std::to_string(id);
        served->device = "fake device";
        return served;
    }
    void setBroken(qint64 id, bool broken)
    {
        const std::lock_guard lock(m_mutex);
        if (broken) {
            m_broken.insert(id);
        } else {
            m_broken.erase(id);
        }
    }
    void reset()
    {
        const std::lock_guard lock(m_mutex);
        m_broken.clear();
        m_opens.clear();
    }
    int opens(qint64 id) const
    {
        const std::lock_guard lock(m_mutex);
        const auto found = m_opens.find(id);
        return found == m_opens.end() ? 0 : found->second;
    }

private:
    mutable std::mutex m_mutex;
    std::set<qint64> m_broken;
    std::map<qint64, int> m_opens;
};

} // namespace

class tst_ModelWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void aFailedLoadKeepsTheOldModelUntilTheRetry();
    void aFailedCandidateIsRetriedLater();
    void promotingTheCandidateSwapsWithoutAReload();
    void theWatchingThreadRetriesOnItsOwn();

private:
    ModelWatcher &watcher();
    qint64 addModel();
    void moveAlias(const QString &alias, qint64 id);
    void advance(std::chrono::seconds by) { m_elapsed += by.count(); }
    qint64 servingId() const { return m_watcher->current() ? m_watcher->current()->id : 0; }
    QStringList log() const
    {
        const std::lock_guard lock(m_logMutex);
        return m_log;
    }
    bool logged(const QString &line) const { return log().contains(line); }

    std::unique_ptr<testing::TempWorkspace> m_temp;
    FakeModels m_models;
    std::atomic<qint64> m_elapsed{0}; // seconds on the fake clock
    app::ServingMetrics m_metrics;
    mutable std::mutex m_logMutex;
    QStringList m_log; // what the watcher logged, from whichever thread polled
    std::unique_ptr<ModelWatcher> m_watcher;
};

void tst_ModelWatcher::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_elapsed = 0;
}

void tst_ModelWatcher::cleanup()
{
    m_watcher.reset();
    m_temp.reset();
    m_models.reset();
    const std::lock_guard lock(m_logMutex);
    m_log.clear();
}

ModelWatcher &tst_ModelWatcher::watcher()
{
    const auto start = std::chrono::steady_clock::time_point{} + 1h;
    m_watcher = std::make_unique<ModelWatcher>(
        m_temp->workspace->root(), m_temp->workspace->databasePath(), models::DeviceRequest::Cpu, 1,
        m_metrics,
        [this](const QString &line) {
            const std::lock_guard lock(m_logMutex);
            m_log << line;
        },
        [this, start] { return start + std::chrono::seconds(m_elapsed.load()); },
        [this](const QSqlDatabase &, qint64 id) { return m_models.open(id); });
    return *m_watcher;
}

qint64 tst_ModelWatcher::addModel()
{
    storage::ModelRecord record;
    record.architecture = QStringLiteral("digitnet");
    record.sourceDigest = QStringLiteral("fixture");
    record.filePath = QStringLiteral("models/fixture.pt");
    record.fileSha256 = QStringLiteral("fixture");
    return storage::ModelRepository(m_temp->workspace->db()).addModel(record, Operator);
}

void tst_ModelWatcher::moveAlias(const QString &alias, qint64 id)
{
    storage::ModelRepository(m_temp->workspace->db())
        .moveAlias(alias, id, Operator, QStringLiteral("test"));
}

void tst_ModelWatcher::aFailedLoadKeepsTheOldModelUntilTheRetry()
{
    const qint64 first = addModel();
    const qint64 second = addModel();
    moveAlias(annotation::ProductionAlias, first);
    ModelWatcher &watching = watcher();
    watching.pollOnce();
    QCOMPARE(servingId(), first);
    QVERIFY(logged(QStringLiteral("serving model %1 on fake device").arg(first)));

    m_models.setBroken(second, true);
    moveAlias(annotation::ProductionAlias, second);
    watching.pollOnce();
    const QString failure = QStringLiteral("production model %1 could not be loaded: models/%1.pt "
                                           "is not a model file; model %2 goes on serving")
                                .arg(second)
                                .arg(first);
    QVERIFY2(logged(failure), qPrintable(log().join(u'\n')));
    QCOMPARE(QString::fromStdString(watching.problem()), failure);
    QCOMPARE(QString::fromStdString(watching.briefProblem()),
             QStringLiteral("production model %1 could not be loaded: see the endpoint's log; "
                            "model %2 goes on serving")
                 .arg(second)
                 .arg(first));
    QCOMPARE(servingId(), first);
    QCOMPARE(m_models.opens(second), 1);

    // Fixed on disk, but the watcher does not look again before RetryFailedAfter.
    m_models.setBroken(second, false);
    advance(ModelWatcher::RetryFailedAfter - 1s);
    watching.pollOnce();
    QCOMPARE(m_models.opens(second), 1);
    QCOMPARE(servingId(), first);

    advance(1s);
    watching.pollOnce();
    QCOMPARE(m_models.opens(second), 2);
    QCOMPARE(servingId(), second);
    QVERIFY(watching.problem().empty());
    QVERIFY(watching.briefProblem().empty());
    QVERIFY(logged(QStringLiteral("production moved: serving model %1 (was %2) on fake device")
                       .arg(second)
                       .arg(first)));
    QCOMPARE(m_models.opens(first), 1);
}

void tst_ModelWatcher::aFailedCandidateIsRetriedLater()
{
    const qint64 production = addModel();
    const qint64 candidate = addModel();
    moveAlias(annotation::ProductionAlias, production);
    moveAlias(annotation::CandidateAlias, candidate);
    m_models.setBroken(candidate, true);
    ModelWatcher &watching = watcher();
    watching.pollOnce();
    QCOMPARE(servingId(), production);
    QVERIFY(!watching.candidate());
    QVERIFY(logged(QStringLiteral("model %1 could not be loaded beside production: models/%1.pt "
                                  "is not a model file")
                       .arg(candidate)));
    // A candidate that does not load is not production's problem.
    QVERIFY(watching.problem().empty());

    m_models.setBroken(candidate, false);
    advance(ModelWatcher::RetryFailedAfter - 1s);
    watching.pollOnce();
    QCOMPARE(m_models.opens(candidate), 1);
    QVERIFY(!watching.candidate());

    advance(1s);
    watching.pollOnce();
    QCOMPARE(m_models.opens(candidate), 2);
    QVERIFY(watching.candidate());
    QCOMPARE(watching.candidate()->id, candidate);
    QVERIFY(logged(QStringLiteral("loaded model %1 beside production (candidate)").arg(candidate)));
}

void tst_ModelWatcher::promotingTheCandidateSwapsWithoutAReload()
{
    const qint64 production = addModel();
    const qint64 candidate = addModel();
    moveAlias(annotation::ProductionAlias, production);
    moveAlias(annotation::CandidateAlias, candidate);
    ModelWatcher &watching = watcher();
    watching.pollOnce();
    const std::shared_ptr<models::ServedModel> loadedCandidate = watching.candidate();
    QVERIFY(loadedCandidate);
    QCOMPARE(loadedCandidate->id, candidate);
    QCOMPARE(watching.loaded().size(), size_t(2));

    moveAlias(annotation::ProductionAlias, candidate);
    watching.pollOnce();
    QCOMPARE(watching.current(), loadedCandidate);
    QVERIFY(!watching.candidate()); // the candidate alias names production now
    QCOMPARE(m_models.opens(candidate), 1);
    QCOMPARE(m_models.opens(production), 1);
    QVERIFY(logged(QStringLiteral("production moved: serving model %1 (was %2) on fake device")
                       .arg(candidate)
                       .arg(production)));
}

void tst_ModelWatcher::theWatchingThreadRetriesOnItsOwn()
{
    const qint64 first = addModel();
    const qint64 second = addModel();
    moveAlias(annotation::ProductionAlias, first);
    ModelWatcher &watching = watcher();
    watching.start();
    QCOMPARE(servingId(), first); // start() returns once the first poll is done

    m_models.setBroken(second, true);
    moveAlias(annotation::ProductionAlias, second);
    QTRY_VERIFY_WITH_TIMEOUT(!watching.problem().empty(), 5000 * testing::SanitizerTimeFactor);
    QCOMPARE(servingId(), first);

    // Two settings the watcher has read in turn: the poll that read the first one has ended,
    // and it did not retry the failed model before its time.
    m_models.setBroken(second, false);
    storage::SettingsRepository settings(m_temp->workspace->db());
    for (const double threshold : {0.25, 0.5}) {
        settings.setValue(QString::fromLatin1(app::CaptureThresholdSetting),
                          QString::number(threshold));
        QTRY_COMPARE_WITH_TIMEOUT(watching.settings().captureThreshold, threshold,
                                  5000 * testing::SanitizerTimeFactor);
    }
    QCOMPARE(m_models.opens(second), 1);
    QCOMPARE(servingId(), first);

    advance(ModelWatcher::RetryFailedAfter);
    QTRY_COMPARE_WITH_TIMEOUT(servingId(), second, 5000 * testing::SanitizerTimeFactor);
    QCOMPARE(m_models.opens(second), 2);
    QVERIFY(watching.problem().empty());
    watching.stop();
}

QTEST_GUILESS_MAIN(tst_ModelWatcher)
#include "tst_modelwatcher.moc"
