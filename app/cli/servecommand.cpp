#include "annotation/inboxthread.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/serve/canaryguard.h"
#include "app/serve/decodebudget.h"
#include "app/serve/httpserver.h"
#include "app/serve/modelwatcher.h"
#include "app/serve/predictiontally.h"
#include "app/serve/retrainingpoller.h"
#include "app/serve/servingapi.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/servingsettings.h"
#include "app/serve/servingtoken.h"
#include "app/serve/shadowmirror.h"
#include "app/serve/shadowtally.h"
#include "app/serve/sloledger.h"
#include "app/serve/storagewriter.h"
#include "app/serve/systemdnotify.h"
#include "models/computedevice.h"
#include "models/dynamicbatcher.h"
#include "storage/servingminuterepository.h"
#include "storage/settingsrepository.h"
#include "storage/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace digitdesk::app {

namespace {

// Shadow requests waiting for the candidate; more are dropped (counted), never queued.
constexpr int ShadowQueue = 256;

struct ServeOptions
{
    HttpServerOptions http;
    models::DeviceRequest device = models::DeviceRequest::Auto;
    int threads = 0;
    models::BatcherOptions batcher;
    bool capture = true;
    bool requireToken = false;
    std::chrono::milliseconds drainGrace{30000};
    qint64 maxDecodedPixels = DefaultMaxDecodedPixels;
    qint64 decodedPixelsPerSecond = 64'000'000;
};

void log(const QString &message)
{
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    printErr(QStringLiteral("%1 serve: %2")
                 .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), message));
}

bool parseNumber(const ArgumentParser &parser, const QString &name, qint64 minimum, qint64 maximum,
                 qint64 *value)
{
    bool ok = false;
    *value = parser.value(name).toLongLong(&ok);
    return ok && *value >= minimum && *value <= maximum;
}

// Reads the options; returns an exit code when the command must stop here.
std::optional<int> readOptions(ArgumentParser &parser, ServeOptions *options)
{
    struct NumberOption
    {
        const char *name;
        qint64 minimum;
        qint64 maximum;
        qint64 value = 0;
    };
    NumberOption numbers[] = {{"port", 0, 65535},
                              {"threads", 0, 256},
                              {"max-batch", 1, 4096},
                              {"max-delay-us", 0, 10000000},
                              {"max-queue", 1, 1000000},
                              {"io-threads", 1, 64},
                              {"max-body-mb", 1, 1024},
                              {"request-timeout-ms", 100, 600000},
                              {"idle-timeout-ms", 100, 86400000},
                              {"max-connections", 1, 1000000},
                              {"workers", 0, 16},
                              {"first-byte-timeout-ms", 100, 600000},
                              {"max-connections-per-address", 1, 1000000},
                              {"max-decoded-mpx", 1, 1000},
                              {"max-decoded-mpx-per-s", 1, 100000}};
    for (NumberOption &number : numbers) {
        if (!parseNumber(parser, QString::fromLatin1(number.name), number.minimum, number.maximum,
                         &number.value)) {
            return parser.usageError(QStringLiteral("--%1 takes a whole number from %2 to %3")
                                         .arg(QString::fromLatin1(number.name))
                                         .arg(number.minimum)
                                         .arg(number.maximum));
        }
    }
    options->http.host = parser.value(QStringLiteral("host")).toStdString();
    if (!isIpAddress(options->http.host)) {
        return parser.usageError(QStringLiteral("--host takes an IP address, such as 127.0.0.1 "
                                                "or 0.0.0.0"));
    }
    options->http.port = static_cast<unsigned short>(numbers[0].value);
    options->threads = static_cast<int>(numbers[1].value);
    // Two batches at once, one LibTorch thread each on two cores, answered 15 to 27% more
    // requests at 128 connections than one batch on two threads (wrk, example network).
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    options->batcher.workers =
        numbers[10].value > 0 ? static_cast<int>(numbers[10].value) : std::min(2, cores);
    options->batcher.maxBatch = static_cast<int>(numbers[2].value);
    options->batcher.maxDelay = std::chrono::microseconds(numbers[3].value);
    options->batcher.maxQueue = static_cast<int>(numbers[4].value);
    options->http.ioThreads = static_cast<int>(numbers[5].value);
    options->http.maxBodyBytes = static_cast<size_t>(numbers[6].value) << 20;
    options->http.requestTimeout = std::chrono::milliseconds(numbers[7].value);
    options->http.idleTimeout = std::chrono::milliseconds(numbers[8].value);
    options->http.maxConnections = static_cast<int>(numbers[9].value);
    options->http.firstByteTimeout = std::chrono::milliseconds(numbers[11].value);
    options->http.maxConnectionsPerAddress = static_cast<int>(numbers[12].value);
    options->maxDecodedPixels = numbers[13].value * 1'000'000;
    options->decodedPixelsPerSecond = numbers[14].value * 1'000'000;
    options->requireToken = parser.isSet(QStringLiteral("require-token"));
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &options->device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    options->capture = !parser.isSet(QStringLiteral("no-capture"));
    return std::nullopt;
}

// Thousands of idle keep-alive connections need more descriptors than the usual soft limit.
void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

QString stateFile(const storage::Workspace &workspace)
{
    return QDir(workspace.logsPath()).filePath(QStringLiteral("serving.json"));
}

void writeStateFile(const storage::Workspace &workspace, const ServeOptions &options,
                    unsigned short port)
{
    QDir().mkpath(workspace.logsPath());
    QSaveFile file(stateFile(workspace));
    if (!file.open(QIODevice::WriteOnly)) {
        log(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        return;
    }
    const QJsonObject state{
        {QStringLiteral("pid"), static_cast<qint64>(::getpid())},
        {QStringLiteral("host"), QString::fromStdString(options.http.host)},
        {QStringLiteral("port"), port},
        {QStringLiteral("started"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    file.write(QJsonDocument(state).toJson(QJsonDocument::Compact));
    file.commit();
}

} // namespace

int runServeCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk serve [--workspace DIR] [--host 127.0.0.1] [--port 8080] "
                       "[--device auto|cpu|cuda] [--threads N] [--max-batch 64] "
                       "[--max-delay-us 1000] [--max-queue 1024] [--no-capture]"),
        QStringLiteral("Serve the production model over HTTP (KServe v2, /v1/predict, "
                       "/metrics) until SIGTERM or SIGINT, which drain requests in flight."));
    parser.addWorkspaceOption();
    const auto option = [&](const char *name, const char *help, const char *fallback) {
        parser.addOption({QString::fromLatin1(name),
                          QStringLiteral("%1 Default: %2.")
                              .arg(QString::fromLatin1(help), QString::fromLatin1(fallback)),
                          QStringLiteral("VALUE"), QString::fromLatin1(fallback)});
    };
    option("host", "Address to listen on (loopback unless told otherwise).", "127.0.0.1");
    option("port", "Port to listen on (0: any free port, printed at start).", "8080");
    option("device", "auto, cpu or cuda.", "auto");
    option("threads", "LibTorch intra-op threads (0: one per core).", "0");
    option("max-batch", "Most images in one model execution.", "64");
    option("max-delay-us", "Longest a request waits for others to batch with.", "1000");
    option("max-queue", "Most requests waiting; more are answered 503 at once.", "1024");
    option("io-threads", "Threads reading and writing connections.", "1");
    option("workers",
           "Batches run at once, each on its own model instance (threads are shared "
           "out among them); 0: two, or one on a single core.",
           "0");
    option("max-body-mb", "Largest request body; larger ones get 413.", "16");
    option("max-connections", "Most open client connections; more are answered 503 and closed.",
           "10000");
    option("max-connections-per-address",
           "Most open connections from one client address; more are answered 503 and closed.",
           "4096");
    option("first-byte-timeout-ms", "Time a new connection has to start its first request.",
           "5000");
    option("max-decoded-mpx",
           "Most megapixels the images of one /v1/predict request may hold once decoded, read "
           "from their headers before decoding; more are answered 413.",
           "128");
    option("max-decoded-mpx-per-s",
           "Most megapixels /v1/predict decodes per second, all clients together; requests "
           "over it are answered 503 with Retry-After.",
           "64");
    option("request-timeout-ms", "Time a request has to arrive whole once started.", "10000");
    option("idle-timeout-ms", "Time a keep-alive connection may wait idle.", "120000");
    option("retrain-poll-s",
           "Seconds between checks of the retraining policy, which start `digitdesk retrain "
           "--if-due` when a run is due (0: never).",
           "60");
    parser.addOption({QStringLiteral("watch-inbox"),
                      QStringLiteral("Also run the watched inbox (inbox.path), as `digitdesk "
                                     "watch` does, in this process.")});
    parser.addOption({QStringLiteral("no-capture"),
                      QStringLiteral("Do not store low-confidence requests as incoming items.")});
    parser.addOption({QStringLiteral("require-token"),
                      QStringLiteral("Ask for the bearer token on loopback too (behind a proxy "
                                     "on the same host, every client arrives from loopback).")});
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    ServeOptions options;
    if (auto exit = readOptions(parser, &options)) {
        return *exit;
    }
    bool pollOk = false;
    const int retrainPoll = parser.value(QStringLiteral("retrain-poll-s")).toInt(&pollOk);
    if (!pollOk || retrainPoll < 0 || retrainPoll > 86400) {
        return parser.usageError(QStringLiteral("--retrain-poll-s takes a whole number from 0 "
                                                "to 86400"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    storage::SettingsRepository settings(workspace->db());
    const QString token = settings.value(QString::fromLatin1(TokenSetting));
    if (servingTokenConfigured(token) && !isHashedServingToken(token)) {
        // An older DigitDesk stored the token itself: from now on only its hash is kept (one
        // too short to be asked for stays as it is, and is refused below).
        settings.setValue(QString::fromLatin1(TokenSetting), hashServingToken(token));
        log(QStringLiteral("%1 was stored in plain text; its salted hash replaces it")
                .arg(QString::fromLatin1(TokenSetting)));
    }
    if (options.requireToken || !isLoopbackAddress(options.http.host)) {
        if (!servingTokenConfigured(token)) {
            printErr(QStringLiteral("serve: clients of %1 must send a bearer token, and the "
                                    "workspace has none: set one of at least %2 characters with "
                                    "`digitdesk settings set %3 -`")
                         .arg(QString::fromStdString(options.http.host))
                         .arg(MinimumTokenLength)
                         .arg(QString::fromLatin1(TokenSetting)));
            return ExitFailed;
        }
    }

    // Signals are taken by sigwait() below, so every thread started from here on blocks them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    raiseDescriptorLimit();
    // LibTorch's threads are one pool for the process: with several workers, each batch gets
    // its share of the cores.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    models::setIntraOpThreads(options.threads > 0 ? options.threads
                                                  : std::max(1, cores / options.batcher.workers));
    const models::ComputeDevice device = models::chooseDevice(options.device);
    log(QStringLiteral("device: %1; %2 batch worker(s)")
            .arg(device.description)
            .arg(options.batcher.workers));

    ServingMetrics metrics;
    SloLedger ledger;
    ledger.load(
        storage::ServingMinuteRepository(workspace->db())
            .since(SloLedger::minuteOf(SloLedger::Clock::now()) - SloLedger::Horizon.count()));
    // One model instance per batcher worker, and one for the shadow batcher's worker.
    ModelWatcher watcher(workspace->root(), workspace->databasePath(), options.device,
                         options.batcher.workers + 1, metrics, log);
    watcher.start();
    if (!watcher.current()) {
        log(QStringLiteral("not ready: %1").arg(QString::fromStdString(watcher.problem())));
    }
    PredictionTally tally;
    ShadowTally shadowTally;
    StorageWriter writer(workspace->root(), workspace->databasePath(), ledger, tally, shadowTally,
                         metrics, log);
    writer.start();
    models::DynamicBatcher batcher(
        options.batcher,
        [&metrics](const models::ServedModel &model, int images, std::chrono::microseconds) {
            metrics.recordBatch(model.version, images);
        });
    models::BatcherOptions shadowOptions = options.batcher;
    shadowOptions.workers = 1;
    shadowOptions.firstInstance = options.batcher.workers;
    shadowOptions.background = true;
    shadowOptions.maxQueue = std::min(options.batcher.maxQueue, ShadowQueue);
    models::DynamicBatcher shadowBatcher(shadowOptions);
    ShadowMirror shadow(shadowBatcher, shadowTally, metrics, options.capture ? &writer : nullptr);
    CanaryGuard canary([&metrics, &writer](qint64 candidateId, const std::string &reason) {
        const QString why = QString::fromStdString(reason);
        log(QStringLiteral("canary of model %1 stopped: %2").arg(candidateId).arg(why));
        metrics.recordCanaryStop();
        writer.stopCanary(candidateId, why);
    });
    std::unique_ptr<HttpServer> server;
    // Every inference request is parsed, and its images decoded, on this pool alone.
    boost::asio::thread_pool parsers(std::max(1u, std::thread::hardware_concurrency()));
    DecodeBudget decodeBudget(options.decodedPixelsPerSecond, options.maxDecodedPixels);
    ServingApi api(
        {watcher, batcher, metrics, ledger, tally, options.capture ? &writer : nullptr,
         [&server] { return server ? server->openConnections() : 0; },
         [&server] { return server && server->draining(); }, DIGITDESK_VERSION,
         options.requireToken,
         [&parsers](std::function<void()> work) { boost::asio::post(parsers, std::move(work)); },
         &shadow, &canary, options.maxDecodedPixels, &decodeBudget});
    server = std::make_unique<HttpServer>(
        options.http, [&api](const HttpRequest &head) { return api.preflight(head); },
        [&api](HttpRequest request, const Responder &respond) {
            api.handle(std::move(request), respond);
        },
        [&metrics](int status) {
            metrics.recordStatus(status);
            metrics.recordFailure({}, FailureReason::Other);
        });
    try {
        server->start();
    } catch (const std::exception &failure) {
        printErr(QStringLiteral("serve: %1").arg(QString::fromUtf8(failure.what())));
        return ExitFailed;
    }
    writeStateFile(*workspace, options, server->port());
    RetrainingPoller retraining(workspace->root(), workspace->databasePath(),
                                std::chrono::seconds(retrainPoll), log);
    retraining.start();
    std::unique_ptr<annotation::InboxThread> inbox; // stopped first, at the return
    if (parser.isSet(QStringLiteral("watch-inbox"))) {
        inbox = std::make_unique<annotation::InboxThread>(
            workspace->root(), workspace->databasePath(), annotation::InboxWatcherOptions{},
            [](const QString &message) { log(QStringLiteral("inbox: %1").arg(message)); });
        inbox->start();
    }
    log(QStringLiteral("listening on http://%1:%2 (max batch %3, max delay %4 us, max queue %5, "
                       "capture %6)")
            .arg(QString::fromStdString(options.http.host))
            .arg(server->port())
            .arg(options.batcher.maxBatch)
            .arg(options.batcher.maxDelay.count())
            .arg(options.batcher.maxQueue)
            .arg(options.capture ? QStringLiteral("on") : QStringLiteral("off")));
    notifySystemd("READY=1\nSTATUS=serving");

    int received = 0;
    sigwait(&stopSignals, &received);
    log(QStringLiteral("%1: draining requests in flight")
            .arg(received == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT")));
    notifySystemd("STOPPING=1");
    server->drain(options.drainGrace);
    parsers.join();
    batcher.stop();
    shadowBatcher.stop();
    writer.stop();
    watcher.stop();
    QFile::remove(stateFile(*workspace));
    log(QStringLiteral("stopped"));
    return ExitOk;
}

} // namespace digitdesk::app
