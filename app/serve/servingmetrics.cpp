#include "app/serve/servingmetrics.h"

#include "app/serve/processmetrics.h"
#include "app/serve/prometheustext.h"
#include "app/serve/sloledger.h"

#include "annotation/servingmetricnames.h"

#include <tuple>

namespace digitdesk::app {

namespace {

namespace names = annotation::metric;
constexpr std::string_view ModelName = "digits";

using prometheus::family;
using prometheus::sample;
using prometheus::Type;

double load(const std::atomic<uint64_t> &counter)
{
    return static_cast<double>(counter.load(std::memory_order_relaxed));
}

} // namespace

ServingMetrics::ServingMetrics()
    : m_started(std::chrono::steady_clock::now()),
      m_latency({0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}),
      m_batchSize({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})
{}

void ServingMetrics::recordRequest(int status, std::chrono::microseconds latency)
{
    recordStatus(status);
    m_latency.observe(static_cast<double>(latency.count()) / 1e6);
    if (status >= 500 || latency > annotation::slo::LatencyObjective) {
        m_bad.fetch_add(1, std::memory_order_relaxed);
    }
}

void ServingMetrics::recordFailure(const std::string &version, FailureReason reason,
                                   std::chrono::microseconds latency)
{
    m_versions.recordFailure(version, reason, latency);
}

void ServingMetrics::recordSuccess(const std::string &version, std::chrono::microseconds latency,
                                   std::chrono::microseconds queued,
                                   std::chrono::microseconds computed)
{
    m_versions.recordSuccess(version, latency, queued, computed);
}

void ServingMetrics::recordBatch(const std::string &version, int images)
{
    m_versions.recordExecution(version, images);
    m_batchSize.observe(images);
}

void ServingMetrics::recordShadow(const std::string &production, const std::string &candidate,
                                  int compared, int agreed)
{
    const std::lock_guard lock(m_shadowMutex);
    auto &counts = m_shadow[{production, candidate}];
    counts.first += static_cast<uint64_t>(compared);
    counts.second += static_cast<uint64_t>(agreed);
}

void ServingMetrics::recordStatus(int status)
{
    if (status >= 100 && status < static_cast<int>(m_statuses.size())) {
        m_statuses[static_cast<size_t>(status)].fetch_add(1, std::memory_order_relaxed);
    }
}

void ServingMetrics::recordCaptured(int stored, int dropped, int failed)
{
    m_captureStored.fetch_add(static_cast<uint64_t>(stored), std::memory_order_relaxed);
    m_captureDropped.fetch_add(static_cast<uint64_t>(dropped), std::memory_order_relaxed);
    m_captureFailed.fetch_add(static_cast<uint64_t>(failed), std::memory_order_relaxed);
}

void ServingMetrics::recordCaptureDecisions(const std::array<int, 3> &decisions)
{
    for (size_t i = 0; i < decisions.size(); ++i) {
        if (decisions[i] > 0) {
            m_captureDecisions[i].fetch_add(static_cast<uint64_t>(decisions[i]),
                                            std::memory_order_relaxed);
        }
    }
}

void ServingMetrics::setDrift(const DriftGauges &drift)
{
    const std::lock_guard lock(m_driftMutex);
    m_drift = drift;
}

void ServingMetrics::renderDrift(std::string &out) const
{
    DriftGauges drift;
    {
        const std::lock_guard lock(m_driftMutex);
        drift = m_drift;
    }
    const std::string window = "over the last " + std::to_string(DriftWindow.count()) + " minutes";
    const auto optional = [&out](std::string_view name, const std::string &help,
                                 const std::optional<double> &value) {
        family(out, name, Type::Gauge, help);
        if (value) {
            sample(out, name, "", *value);
        }
    };
    family(out, names::DriftWindowAnswers, Type::Gauge,
           "Images the production model answered " + window + ", from the workspace");
    if (drift.computed) {
        sample(out, names::DriftWindowAnswers, "", static_cast<double>(drift.answers));
    }
    optional(names::DriftPsi,
             "Population stability index of the classes answered " + window +
                 " against the production model's training data (absent when unknown)",
             drift.psi);
    optional(names::OodShare,
             "Share of images answered " + window +
                 " that looked unlike the training data (absent when the model has no threshold)",
             drift.oodShare);
    optional(names::LowConfidenceShare,
             "Share of images answered " + window + " under the capture threshold",
             drift.lowConfidenceShare);
    const std::tuple<const char *, double, bool> checks[] = {
        {"psi", drift.psiThreshold, drift.psiExceeded},
        {"ood_share", drift.oodShareThreshold, drift.oodShareExceeded}};
    family(out, names::DriftThreshold, Type::Gauge,
           "Thresholds of drift monitoring (workspace settings drift.*)");
    std::string exceeded;
    if (drift.computed) {
        for (const auto &[check, threshold, above] : checks) {
            const std::string labels = prometheus::label("check", check);
            sample(out, names::DriftThreshold, labels, threshold);
            sample(exceeded, names::DriftThresholdExceeded, labels, above ? 1 : 0);
        }
    }
    family(out, names::DriftThresholdExceeded, Type::Gauge,
           "1 while a drift figure is above its threshold with enough answers to judge");
    out += exceeded;
}

void ServingMetrics::renderVersions(std::string &out, const Live &live) const
{
    // Every loaded version has its series, at 0 until it answers; versions that answered and
    // were unloaded since keep theirs (counters never go back).
    std::map<std::string, VersionCounts> counts = m_versions.snapshot();
    for (const LoadedVersion &loaded : live.loaded) {
        counts.try_emplace(loaded.version);
    }
    const auto labels = [](const std::string &version) {
        return prometheus::labels({{"model", ModelName}, {"version", version}});
    };
    // Triton's per-version counters.
    const auto series = [&](std::string_view name, std::string_view help, const auto &value) {
        family(out, name, Type::Counter, help);
        for (const auto &[version, count] : counts) {
            sample(out, name, labels(version), static_cast<double>(value(count)));
        }
    };
    series(names::RequestSuccess, "Number of successful inference requests, all batch sizes",
           [](const VersionCounts &c) { return c.success; });
    family(out, names::RequestFailure, Type::Counter,
           "Number of failed inference requests, all batch sizes");
    const char *reasons[] = {"REJECTED", "BACKEND", "OTHER"};
    for (const auto &[version, count] : counts) {
        for (size_t i = 0; i < count.failures.size(); ++i) {
            sample(out, names::RequestFailure,
                   labels(version) + "," + prometheus::label("reason", reasons[i]),
                   static_cast<double>(count.failures[i]));
        }
    }
    series(names::InferenceCount, "Number of inferences performed (an image is one inference)",
           [](const VersionCounts &c) { return c.inferences; });
    series(names::ExecutionCount, "Number of model executions performed (a batch is one execution)",
           [](const VersionCounts &c) { return c.executions; });
    series(names::RequestDurationUs,
           "Cumulative inference request duration of successful requests, in microseconds",
           [](const VersionCounts &c) { return c.successMicros; });
    series(names::QueueDurationUs,
           "Cumulative time successful requests waited in the queue, in microseconds",
           [](const VersionCounts &c) { return c.queueMicros; });
    series(names::ComputeDurationUs,
           "Cumulative inference time of successful requests' batches, in microseconds",
           [](const VersionCounts &c) { return c.computeMicros; });
    family(out, names::PendingRequests, Type::Gauge,
           "Instantaneous number of requests waiting in the batcher's queue");
    sample(out, names::PendingRequests, prometheus::label("model", ModelName), live.pending);
}

void ServingMetrics::renderExperiments(std::string &out, const Live &live) const
{
    family(out, names::ShadowShare, Type::Gauge,
           "Share of production's requests mirrored to the candidate");
    sample(out, names::ShadowShare, "", live.shadowShare);
    family(out, names::CanaryShare, Type::Gauge,
           "Share of unversioned requests the candidate answers (0 once the canary stopped)");
    sample(out, names::CanaryShare, "", live.canaryShare);
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> shadow;
    {
        const std::lock_guard lock(m_shadowMutex);
        shadow = m_shadow;
    }
    std::string compared;
    family(out, names::ShadowAgreement, Type::Gauge,
           "Share of shadowed images the candidate labelled as production did, since the "
           "endpoint started");
    for (const auto &[pair, counts] : shadow) {
        const std::string labels =
            prometheus::labels({{"production", pair.first}, {"candidate", pair.second}});
        if (counts.first > 0) {
            sample(out, names::ShadowAgreement, labels,
                   static_cast<double>(counts.second) / static_cast<double>(counts.first));
        }
        sample(compared, names::ShadowCompared, labels, static_cast<double>(counts.first));
    }
    family(out, names::ShadowCompared, Type::Counter,
           "Images both production and the candidate answered in shadow");
    out += compared;
    family(out, names::ShadowDropped, Type::Counter,
           "Shadow requests not compared: the shadow queue was full or the candidate failed");
    sample(out, names::ShadowDropped, prometheus::label("reason", "queue_full"),
           load(m_shadowDropped[0]));
    sample(out, names::ShadowDropped, prometheus::label("reason", "candidate_failed"),
           load(m_shadowDropped[1]));
    family(out, names::CanaryStops, Type::Counter,
           "Canaries the endpoint stopped by itself (error rate or p99 latency over production's)");
    sample(out, names::CanaryStops, "", load(m_canaryStops));
}

std::string ServingMetrics::render(const Live &live, const SloLedger &ledger) const
{
    std::string out;
    out.reserve(8192);
    renderVersions(out, live);
    m_latency.render(out, names::RequestDuration,
                     "Latency of inference requests from the request read to the answer queued");
    m_batchSize.render(out, names::BatchSize, "Images per model execution");
    family(out, names::HttpRequests, Type::Counter, "HTTP responses by status code");
    for (size_t code = 100; code < m_statuses.size(); ++code) {
        const double count = load(m_statuses[code]);
        if (count > 0) {
            sample(out, names::HttpRequests, prometheus::label("code", std::to_string(code)),
                   count);
        }
    }
    family(out, names::SloBadTotal, Type::Counter,
           "Inference requests answered with a server error or slower than the 2 s objective");
    sample(out, names::SloBadTotal, "", load(m_bad));
    family(out, names::SloRequests, Type::Gauge,
           "Inference requests over a trailing window, from the workspace's history");
    const std::pair<const char *, std::chrono::minutes> windows[] = {
        {"5m", std::chrono::minutes(5)},    {"30m", std::chrono::minutes(30)},
        {"1h", std::chrono::minutes(60)},   {"6h", std::chrono::minutes(360)},
        {"1d", std::chrono::minutes(1440)}, {"30d", annotation::slo::Horizon}};
    std::string badLines;
    for (const auto &[name, span] : windows) {
        const SloLedger::Window window = ledger.window(span);
        sample(out, names::SloRequests, prometheus::label("window", name),
               static_cast<double>(window.requests));
        sample(badLines, names::SloBadRequests, prometheus::label("window", name),
               static_cast<double>(window.bad));
    }
    family(out, names::SloBadRequests, Type::Gauge,
           "Bad inference requests over a trailing window, from the workspace's history");
    out += badLines;
    family(out, names::SloObjective, Type::Gauge, "Availability objective");
    sample(out, names::SloObjective, "", annotation::slo::AvailabilityObjective);
    family(out, names::SloLatencyObjective, Type::Gauge, "Latency objective");
    sample(out, names::SloLatencyObjective, "",
           static_cast<double>(annotation::slo::LatencyObjective.count()));

    family(out, names::ModelInfo, Type::Gauge,
           "The model versions loaded, by role (1 while loaded)");
    for (const LoadedVersion &loaded : live.loaded) {
        sample(out, names::ModelInfo,
               prometheus::labels(
                   {{"version", loaded.version}, {"role", loaded.role}, {"device", loaded.device}}),
               1);
    }
    renderExperiments(out, live);
    family(out, names::ModelLoadFailures, Type::Counter,
           "Production models that could not be loaded (the previous one went on serving)");
    sample(out, names::ModelLoadFailures, "", load(m_modelLoadFailures));
    family(out, names::CaptureStored, Type::Counter,
           "Low-confidence images stored as incoming items");
    sample(out, names::CaptureStored, "", load(m_captureStored));
    family(out, names::CaptureDropped, Type::Counter,
           "Low-confidence images not stored because the writer's queue was full");
    sample(out, names::CaptureDropped, "", load(m_captureDropped));
    family(out, names::CaptureFailed, Type::Counter,
           "Low-confidence images the writer could not store");
    sample(out, names::CaptureFailed, "", load(m_captureFailed));
    family(out, names::CaptureEnabled, Type::Gauge,
           "1 while low-confidence images are captured (serving.capture as last read)");
    sample(out, names::CaptureEnabled, "", live.captureEnabled ? 1 : 0);
    family(out, names::CaptureDecisions, Type::Counter,
           "Answered images by what capture did with them: disabled (capture off), "
           "low_confidence (handed to the writer) or confident");
    const char *decisions[] = {"disabled", "low_confidence", "confident"};
    for (size_t i = 0; i < m_captureDecisions.size(); ++i) {
        sample(out, names::CaptureDecisions, prometheus::label("decision", decisions[i]),
               load(m_captureDecisions[i]));
    }
    renderDrift(out);
    family(out, names::OpenConnections, Type::Gauge, "Open client connections");
    sample(out, names::OpenConnections, "", live.connections);
    family(out, names::DecodingRequests, Type::Gauge,
           "Inference requests whose body is being parsed and decoded now");
    sample(out, names::DecodingRequests, "", live.decoding);
    const auto uptime = std::chrono::steady_clock::now() - m_started;
    family(out, names::Uptime, Type::Gauge, "Seconds since the endpoint started");
    sample(out, names::Uptime, "", std::chrono::duration<double>(uptime).count());
    renderProcessMetrics(out, readProcessFigures());
    return out;
}

} // namespace digitdesk::app
