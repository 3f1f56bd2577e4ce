#include "app/serve/servingmetrics.h"

#include "app/serve/sloledger.h"

#include <charconv>
#include <tuple>

namespace digitdesk::app {

namespace {

const std::string ModelLabel = "model=\"digits\"";

std::string number(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return {buffer, result.ptr};
}

void metric(std::string &out, const std::string &name, const char *type, const std::string &help)
{
    out.append("# HELP ").append(name).append(" ").append(help);
    out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string &out, const std::string &name, const std::string &labels, double value)
{
    out += name;
    if (!labels.empty()) {
        out.append("{").append(labels).append("}");
    }
    out.append(" ").append(number(value)).append("\n");
}

std::string escaped(const std::string &text)
{
    std::string out;
    for (char c : text) {
        if (c == '\\' || c == '"') {
            out += '\\';
        }
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

double load(const std::atomic<uint64_t> &counter)
{
    return static_cast<double>(counter.load(std::memory_order_relaxed));
}

} // namespace

ServingMetrics::ServingMetrics()
    : m_started(std::chrono::steady_clock::now()), m_startedWall(std::chrono::system_clock::now()),
      m_latency({0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}),
      m_batchSize({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})
{}

void ServingMetrics::recordRequest(int status, std::chrono::microseconds latency)
{
    recordStatus(status);
    m_latency.observe(static_cast<double>(latency.count()) / 1e6);
    if (status >= 500 || latency > SloLedger::LatencyObjective) {
        m_bad.fetch_add(1, std::memory_order_relaxed);
    }
}

void ServingMetrics::recordFailure(FailureReason reason)
{
    m_failures[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void ServingMetrics::recordSuccess(std::chrono::microseconds queued,
                                   std::chrono::microseconds computed)
{
    m_success.fetch_add(1, std::memory_order_relaxed);
    m_queueMicros.fetch_add(static_cast<uint64_t>(queued.count()), std::memory_order_relaxed);
    m_computeMicros.fetch_add(static_cast<uint64_t>(computed.count()), std::memory_order_relaxed);
}

void ServingMetrics::recordBatch(int images)
{
    m_inferences.fetch_add(static_cast<uint64_t>(images), std::memory_order_relaxed);
    m_executions.fetch_add(1, std::memory_order_relaxed);
    m_batchSize.observe(images);
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
    const auto optional = [&out](const char *name, const std::string &help,
                                 const std::optional<double> &value) {
        metric(out, name, "gauge", help);
        if (value) {
            sample(out, name, "", *value);
        }
    };
    metric(out, "digitdesk_drift_window_answers", "gauge",
           "Images the production model answered " + window + ", from the workspace");
    if (drift.computed) {
        sample(out, "digitdesk_drift_window_answers", "", static_cast<double>(drift.answers));
    }
    optional("digitdesk_drift_psi",
             "Population stability index of the classes answered " + window +
                 " against the production model's training data (absent when unknown)",
             drift.psi);
    optional("digitdesk_ood_share",
             "Share of images answered " + window +
                 " that looked unlike the training data (absent when the model has no threshold)",
             drift.oodShare);
    optional("digitdesk_low_confidence_share",
             "Share of images answered " + window + " under the capture threshold",
             drift.lowConfidenceShare);
    const std::tuple<const char *, double, bool> checks[] = {
        {"psi", drift.psiThreshold, drift.psiExceeded},
        {"ood_share", drift.oodShareThreshold, drift.oodShareExceeded}};
    metric(out, "digitdesk_drift_threshold", "gauge",
           "Thresholds of drift monitoring (workspace settings drift.*)");
    std::string exceeded;
    if (drift.computed) {
        for (const auto &[check, threshold, above] : checks) {
            const std::string labels = std::string("check=\"") + check + "\"";
            sample(out, "digitdesk_drift_threshold", labels, threshold);
            sample(exceeded, "digitdesk_drift_threshold_exceeded", labels, above ? 1 : 0);
        }
    }
    metric(out, "digitdesk_drift_threshold_exceeded", "gauge",
           "1 while a drift figure is above its threshold with enough answers to judge");
    out += exceeded;
}

std::string ServingMetrics::render(const Live &live, const SloLedger &ledger) const
{
    std::string out;
    out.reserve(8192);
    metric(out, "nv_inference_request_success", "counter",
           "Number of successful inference requests, all batch sizes");
    sample(out, "nv_inference_request_success", ModelLabel, load(m_success));
    metric(out, "nv_inference_request_failure", "counter",
           "Number of failed inference requests, all batch sizes");
    const char *reasons[] = {"REJECTED", "BACKEND", "OTHER"};
    for (size_t i = 0; i < m_failures.size(); ++i) {
        sample(out, "nv_inference_request_failure", ModelLabel + ",reason=\"" + reasons[i] + "\"",
               load(m_failures[i]));
    }
    metric(out, "nv_inference_count", "counter",
           "Number of inferences performed (an image is one inference)");
    sample(out, "nv_inference_count", ModelLabel, load(m_inferences));
    metric(out, "nv_inference_exec_count", "counter",
           "Number of model executions performed (a batch is one execution)");
    sample(out, "nv_inference_exec_count", ModelLabel, load(m_executions));
    metric(out, "nv_inference_pending_request_count", "gauge",
           "Instantaneous number of requests waiting in the batcher's queue");
    sample(out, "nv_inference_pending_request_count", ModelLabel, live.pending);
    metric(out, "nv_inference_queue_duration_us", "counter",
           "Cumulative time successful requests waited in the queue, in microseconds");
    sample(out, "nv_inference_queue_duration_us", ModelLabel, load(m_queueMicros));
    metric(out, "nv_inference_compute_infer_duration_us", "counter",
           "Cumulative inference time of successful requests' batches, in microseconds");
    sample(out, "nv_inference_compute_infer_duration_us", ModelLabel, load(m_computeMicros));

    m_latency.render(out, "digitdesk_request_duration_seconds",
                     "Latency of inference requests from the request read to the answer queued");
    m_batchSize.render(out, "digitdesk_batch_size", "Images per model execution");
    metric(out, "digitdesk_http_requests_total", "counter", "HTTP responses by status code");
    for (size_t code = 100; code < m_statuses.size(); ++code) {
        const double count = load(m_statuses[code]);
        if (count > 0) {
            sample(out, "digitdesk_http_requests_total", "code=\"" + std::to_string(code) + "\"",
                   count);
        }
    }
    metric(out, "digitdesk_slo_bad_total", "counter",
           "Inference requests answered with a server error or slower than the 2 s objective");
    sample(out, "digitdesk_slo_bad_total", "", load(m_bad));
    metric(out, "digitdesk_slo_requests", "gauge",
           "Inference requests over a trailing window, from the workspace's history");
    const std::pair<const char *, std::chrono::minutes> windows[] = {
        {"5m", std::chrono::minutes(5)},    {"30m", std::chrono::minutes(30)},
        {"1h", std::chrono::minutes(60)},   {"6h", std::chrono::minutes(360)},
        {"1d", std::chrono::minutes(1440)}, {"30d", SloLedger::Horizon}};
    std::string badLines;
    for (const auto &[name, span] : windows) {
        const SloLedger::Window window = ledger.window(span);
        sample(out, "digitdesk_slo_requests", std::string("window=\"") + name + "\"",
               static_cast<double>(window.requests));
        sample(badLines, "digitdesk_slo_bad_requests", std::string("window=\"") + name + "\"",
               static_cast<double>(window.bad));
    }
    metric(out, "digitdesk_slo_bad_requests", "gauge",
           "Bad inference requests over a trailing window, from the workspace's history");
    out += badLines;
    metric(out, "digitdesk_slo_objective", "gauge", "Availability objective");
    sample(out, "digitdesk_slo_objective", "", SloLedger::AvailabilityObjective);
    metric(out, "digitdesk_slo_latency_objective_seconds", "gauge", "Latency objective");
    sample(out, "digitdesk_slo_latency_objective_seconds", "",
           static_cast<double>(SloLedger::LatencyObjective.count()));

    metric(out, "digitdesk_model_info", "gauge", "The model being served (1 while it serves)");
    if (!live.modelVersion.empty()) {
        sample(out, "digitdesk_model_info",
               "version=\"" + escaped(live.modelVersion) + "\",device=\"" + escaped(live.device) +
                   "\"",
               1);
    }
    metric(out, "digitdesk_model_load_failures_total", "counter",
           "Production models that could not be loaded (the previous one went on serving)");
    sample(out, "digitdesk_model_load_failures_total", "", load(m_modelLoadFailures));
    metric(out, "digitdesk_capture_stored_total", "counter",
           "Low-confidence images stored as incoming items");
    sample(out, "digitdesk_capture_stored_total", "", load(m_captureStored));
    metric(out, "digitdesk_capture_dropped_total", "counter",
           "Low-confidence images not stored because the writer's queue was full");
    sample(out, "digitdesk_capture_dropped_total", "", load(m_captureDropped));
    metric(out, "digitdesk_capture_failed_total", "counter",
           "Low-confidence images the writer could not store");
    sample(out, "digitdesk_capture_failed_total", "", load(m_captureFailed));
    renderDrift(out);
    metric(out, "digitdesk_open_connections", "gauge", "Open client connections");
    sample(out, "digitdesk_open_connections", "", live.connections);
    const auto uptime = std::chrono::steady_clock::now() - m_started;
    metric(out, "digitdesk_uptime_seconds", "gauge", "Seconds since the endpoint started");
    sample(out, "digitdesk_uptime_seconds", "", std::chrono::duration<double>(uptime).count());
    metric(out, "process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds");
    sample(out, "process_start_time_seconds", "",
           std::chrono::duration<double>(m_startedWall.time_since_epoch()).count());
    return out;
}

} // namespace digitdesk::app
