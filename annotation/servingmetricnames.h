#pragma once

#include <QLatin1StringView>
#include <QString>

#include <chrono>
#include <string_view>

// The names of the serving endpoint's /metrics series and its service level objectives, in one
// place for the endpoint that writes them (app/serve) and the dashboard that reads them (ui).
namespace digitdesk::annotation::metric {

// Triton's names.
inline constexpr std::string_view RequestSuccess = "nv_inference_request_success";
inline constexpr std::string_view RequestFailure = "nv_inference_request_failure";
inline constexpr std::string_view InferenceCount = "nv_inference_count";
inline constexpr std::string_view ExecutionCount = "nv_inference_exec_count";
inline constexpr std::string_view RequestDurationUs = "nv_inference_request_duration_us";
inline constexpr std::string_view QueueDurationUs = "nv_inference_queue_duration_us";
inline constexpr std::string_view ComputeDurationUs = "nv_inference_compute_infer_duration_us";
inline constexpr std::string_view PendingRequests = "nv_inference_pending_request_count";

// Histograms: each is exported as name_bucket{le}, name_sum and name_count.
inline constexpr std::string_view RequestDuration = "digitdesk_request_duration_seconds";
inline constexpr std::string_view BatchSize = "digitdesk_batch_size";
inline constexpr std::string_view BucketSuffix = "_bucket";
inline constexpr std::string_view SumSuffix = "_sum";
inline constexpr std::string_view CountSuffix = "_count";

inline constexpr std::string_view HttpRequests = "digitdesk_http_requests_total";
inline constexpr std::string_view SloBadTotal = "digitdesk_slo_bad_total";
inline constexpr std::string_view SloRequests = "digitdesk_slo_requests";
inline constexpr std::string_view SloBadRequests = "digitdesk_slo_bad_requests";
inline constexpr std::string_view SloObjective = "digitdesk_slo_objective";
inline constexpr std::string_view SloLatencyObjective = "digitdesk_slo_latency_objective_seconds";
inline constexpr std::string_view ModelInfo = "digitdesk_model_info";
inline constexpr std::string_view ShadowShare = "digitdesk_shadow_share";
inline constexpr std::string_view CanaryShare = "digitdesk_canary_share";
inline constexpr std::string_view ShadowAgreement = "digitdesk_shadow_agreement_ratio";
inline constexpr std::string_view ShadowCompared = "digitdesk_shadow_compared_total";
inline constexpr std::string_view ShadowDropped = "digitdesk_shadow_dropped_total";
inline constexpr std::string_view CanaryStops = "digitdesk_canary_stops_total";
inline constexpr std::string_view ModelLoadFailures = "digitdesk_model_load_failures_total";
inline constexpr std::string_view CaptureEnabled = "digitdesk_capture_enabled";
inline constexpr std::string_view CaptureDecisions = "digitdesk_capture_decisions_total";
inline constexpr std::string_view CaptureStored = "digitdesk_capture_stored_total";
inline constexpr std::string_view CaptureDropped = "digitdesk_capture_dropped_total";
inline constexpr std::string_view CaptureFailed = "digitdesk_capture_failed_total";
inline constexpr std::string_view DecodingRequests = "digitdesk_decoding_requests";
inline constexpr std::string_view DriftWindowAnswers = "digitdesk_drift_window_answers";
inline constexpr std::string_view DriftPsi = "digitdesk_drift_psi";
inline constexpr std::string_view OodShare = "digitdesk_ood_share";
inline constexpr std::string_view LowConfidenceShare = "digitdesk_low_confidence_share";
inline constexpr std::string_view DriftThreshold = "digitdesk_drift_threshold";
inline constexpr std::string_view DriftThresholdExceeded = "digitdesk_drift_threshold_exceeded";
inline constexpr std::string_view OpenConnections = "digitdesk_open_connections";
inline constexpr std::string_view Uptime = "digitdesk_uptime_seconds";

// The standard process collector's names.
inline constexpr std::string_view ProcessCpuSeconds = "process_cpu_seconds_total";
inline constexpr std::string_view ProcessResidentBytes = "process_resident_memory_bytes";
inline constexpr std::string_view ProcessVirtualBytes = "process_virtual_memory_bytes";
inline constexpr std::string_view ProcessOpenFds = "process_open_fds";
inline constexpr std::string_view ProcessMaxFds = "process_max_fds";
inline constexpr std::string_view ProcessThreads = "process_threads";
inline constexpr std::string_view ProcessStartTime = "process_start_time_seconds";

// A series name as the dashboard's snapshot keys it, e.g. name(RequestDuration, CountSuffix).
inline QString name(std::string_view metric, std::string_view suffix = {})
{
    QString text = QLatin1StringView(metric.data(), static_cast<qsizetype>(metric.size()));
    text += QLatin1StringView(suffix.data(), static_cast<qsizetype>(suffix.size()));
    return text;
}

} // namespace digitdesk::annotation::metric

// The endpoint's service level objectives and the multiwindow burn-rate alerts on them (Google
// SRE workbook, chapter 5).
namespace digitdesk::annotation::slo {

// A request slower than this, or answered with a server error, is bad.
inline constexpr std::chrono::seconds LatencyObjective{2};
inline constexpr double AvailabilityObjective = 0.9999;
// 1 - AvailabilityObjective, written out so the budget arithmetic is exact.
inline constexpr double ErrorBudget = 0.0001;
// The error budget's period, and how far back the endpoint keeps per-minute counts.
inline constexpr std::chrono::minutes Horizon{30 * 24 * 60};
// Page when the budget burns this much faster than allowed over both windows; open a ticket at
// the lower rate over the longer pair.
inline constexpr double PageBurnRate = 14.4;
inline constexpr std::chrono::minutes PageLongWindow{60};
inline constexpr std::chrono::minutes PageShortWindow{5};
inline constexpr double TicketBurnRate = 6.0;
inline constexpr std::chrono::minutes TicketLongWindow{360};
inline constexpr std::chrono::minutes TicketShortWindow{30};

} // namespace digitdesk::annotation::slo
