#include "tests/bench/promotionunderload.h"

#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <atomic>
#include <memory>
#include <thread>

namespace digitdesk::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

QString versionIn(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().value(QStringLiteral("model_version")).toString();
}

// `digitdesk serve` on the workspace, its log in a file (a pipe nobody reads would fill up and
// stall it).
class Endpoint final
{
public:
    Endpoint(const QString &workspace, unsigned short port) : m_port(port)
    {
        m_process.setStandardOutputFile(logPath());
        m_process.setStandardErrorFile(logPath(), QIODevice::Append);
        // The retraining policy's poll could start a run in the middle of the figures.
        m_process.start(QStringLiteral(DIGITDESK_BINARY),
                        {QStringLiteral("serve"), QStringLiteral("--workspace"), workspace,
                         QStringLiteral("--port"), QString::number(port),
                         QStringLiteral("--retrain-poll-s"), QStringLiteral("0")});
    }
    ~Endpoint() { stop(); }
    Endpoint(const Endpoint &) = delete;
    Endpoint &operator=(const Endpoint &) = delete;

    bool waitUntilReady(std::chrono::seconds timeout) const
    {
        const auto end = Clock::now() + timeout;
        while (Clock::now() < end && m_process.state() != QProcess::NotRunning) {
            testing::HttpClient client(QStringLiteral("127.0.0.1"), m_port);
            if (client.connected() && client.request("GET", "/v2/health/ready").status == 200) {
                return true;
            }
            std::this_thread::sleep_for(200ms);
        }
        return false;
    }
    QString version() const
    {
        testing::HttpClient client(QStringLiteral("127.0.0.1"), m_port);
        return versionIn(client.request("GET", "/v2/models/digits").body);
    }
    void stop() { testing::terminateChild(m_process); }
    QString log() const
    {
        QFile file(logPath());
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

private:
    QString logPath() const { return m_logDir.filePath(QStringLiteral("serve.log")); }

    QTemporaryDir m_logDir;
    unsigned short m_port;
    QProcess m_process;
};

// What the probe saw: when the new model first answered, and whether the old one came back.
struct ProbeTimes
{
    Clock::time_point firstNewAnswer;
    Clock::time_point firstNewMetadata;
    int answers = 0;
    int oldAfterNew = 0;
};

// Alternates an inference and a metadata request on one keep-alive connection until `stop`.
void probe(unsigned short port, const QByteArray &png, const QString &newVersion,
           const std::atomic<bool> &stop, std::atomic<bool> &newAnswered,
           std::atomic<bool> &newNamed, ProbeTimes *times)
{
    std::unique_ptr<testing::HttpClient> client;
    while (!stop.load()) {
        if (!client || !client->connected()) {
            client = std::make_unique<testing::HttpClient>(QStringLiteral("127.0.0.1"), port);
        }
        const testing::HttpAnswer answer = client->request("POST", "/v1/predict", png, "image/png");
        if (answer.status == 200) {
            ++times->answers;
            const bool isNew = versionIn(answer.body) == newVersion;
            if (isNew && !newAnswered.load()) {
                times->firstNewAnswer = Clock::now();
                newAnswered.store(true);
            } else if (!isNew && newAnswered.load()) {
                ++times->oldAfterNew;
            }
        }
        if (!newNamed.load()) {
            const testing::HttpAnswer metadata = client->request("GET", "/v2/models/digits");
            if (metadata.status == 200 && versionIn(metadata.body) == newVersion) {
                times->firstNewMetadata = Clock::now();
                newNamed.store(true);
            }
        }
        if (answer.closed || answer.status == 0) {
            client.reset();
        }
        std::this_thread::sleep_for(5ms);
    }
}

LoadResult merged(const std::vector<LoadSecond> &seconds)
{
    LoadResult all;
    for (const LoadSecond &second : seconds) {
        const LoadResult &r = second.result;
        all.latenciesMs.insert(all.latenciesMs.end(), r.latenciesMs.begin(), r.latenciesMs.end());
        all.ok += r.ok;
        all.rejected += r.rejected;
        all.otherStatus += r.otherStatus;
        all.failed += r.failed;
        all.seconds += r.seconds;
    }
    return all;
}

} // namespace

PromotionFigures promoteUnderLoad(const PromotionRequest &request)
{
    PromotionFigures figures;
    const unsigned short port = testing::freePort();
    Endpoint endpoint(request.workspace, port);
    if (!endpoint.waitUntilReady(60s)) {
        figures.error =
            QStringLiteral("digitdesk serve did not become ready in 60 s:\n%1").arg(endpoint.log());
        return figures;
    }
    figures.versionBefore = endpoint.version();
    const QString newVersion = QString::number(request.model);

    // The load runs in one-second pieces, so it can stop when the swap has been seen and each
    // second's latencies are known; a piece ends only when all its answers are in.
    const Clock::time_point loadStart = Clock::now();
    std::atomic<bool> stopLoad{false};
    std::thread load([&] {
        const LoadGenerator generator("127.0.0.1", port);
        while (!stopLoad.load()) {
            const double at = secondsBetween(loadStart, Clock::now());
            figures.seconds.push_back(
                {at, generator.openLoop(request.requests, request.perSecond, 1000ms)});
        }
    });
    std::atomic<bool> stopProbe{false};
    std::atomic<bool> newAnswered{false};
    std::atomic<bool> newNamed{false};
    ProbeTimes times;
    std::thread prober(probe, port, request.probeImage, newVersion, std::cref(stopProbe),
                       std::ref(newAnswered), std::ref(newNamed), &times);

    std::this_thread::sleep_for(request.before);
    QProcess promote;
    promote.setProcessChannelMode(QProcess::MergedChannels);
    figures.promoteStartedAt = QDateTime::currentDateTimeUtc();
    const Clock::time_point promoteStart = Clock::now();
    promote.start(QStringLiteral(DIGITDESK_BINARY),
                  {QStringLiteral("models"), QStringLiteral("promote"), newVersion,
                   QStringLiteral("--reason"),
                   QStringLiteral("loop_bench: retrained on the least-sure incoming digits"),
                   QStringLiteral("--workspace"), request.workspace});
    promote.waitForFinished(120000);
    figures.promoteCommandSeconds = secondsBetween(promoteStart, Clock::now());
    figures.promoteExitCode =
        promote.exitStatus() == QProcess::NormalExit ? promote.exitCode() : -1;
    figures.promoteOutput = QString::fromUtf8(promote.readAll()).trimmed();
    figures.promoteStartSeconds = secondsBetween(loadStart, promoteStart);

    const Clock::time_point swapDeadline = promoteStart + request.swapTimeout;
    while (!(newAnswered.load() && newNamed.load()) && Clock::now() < swapDeadline) {
        std::this_thread::sleep_for(10ms);
    }
    if (newAnswered.load()) {
        std::this_thread::sleep_for(request.after);
    } else {
        figures.error = QStringLiteral("the endpoint did not answer with model %1 within %2 s of "
                                       "the promotion")
                            .arg(request.model)
                            .arg(request.swapTimeout.count());
    }
    stopLoad.store(true);
    load.join();
    const Clock::time_point loadEnd = Clock::now();
    stopProbe.store(true);
    prober.join();
    endpoint.stop();

    figures.load = merged(figures.seconds);
    figures.probeAnswers = times.answers;
    figures.probeOldAfterNew = times.oldAfterNew;
    if (newAnswered.load()) {
        figures.firstNewAnswerSeconds = secondsBetween(promoteStart, times.firstNewAnswer);
        figures.loadAfterSwapSeconds = secondsBetween(times.firstNewAnswer, loadEnd);
    }
    if (newNamed.load()) {
        figures.metadataSeconds = secondsBetween(promoteStart, times.firstNewMetadata);
    }
    return figures;
}

} // namespace digitdesk::bench
