#pragma once

#include "app/serve/httpmessage.h"
#include "app/serve/inferenceinput.h"
#include "app/serve/shareselector.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace digitdesk::annotation {
struct ExperimentSettings;
}

namespace digitdesk::models {
class DynamicBatcher;
struct BatchAnswer;
struct ServedModel;
} // namespace digitdesk::models

namespace digitdesk::app {

class CanaryGuard;
class CapturePolicy;
class DecodeBudget;
class ModelWatcher;
class PredictionTally;
class ShadowMirror;
class ServingMetrics;
class SloLedger;
class StorageWriter;
struct LiveSettings;
struct ServingRoute;

// The endpoint's routes: KServe v2 (health, metadata, infer, statistics) for production and
// every loaded version, /v1/predict, /metrics and /openapi.json, the bearer-token rule off
// loopback, and what every inference answer counts, captures, mirrors to the candidate in
// shadow or sends to it as a canary.
class ServingApi final
{
public:
    struct Parts
    {
        ModelWatcher &models;
        models::DynamicBatcher &batcher;
        ServingMetrics &metrics;
        SloLedger &ledger;
        PredictionTally &tally;
        StorageWriter *writer; // null: capture switched off for this process
        std::function<int()> openConnections;
        std::function<bool()> draining;
        std::string serverVersion;
        bool requireToken = false; // on loopback too
        // Runs inference requests' parsing and decoding on a bounded pool, off the threads
        // that read every connection; empty: in place.
        std::function<void(std::function<void()>)> offload;
        ShadowMirror *shadow = nullptr; // null: no shadow traffic
        CanaryGuard *canary = nullptr;  // null: no canary
        // /v1/predict's decoded pixels per request, and per second across the endpoint (null:
        // no per-second budget).
        qint64 maxDecodedPixels = DefaultMaxDecodedPixels;
        DecodeBudget *decodeBudget = nullptr;
    };

    explicit ServingApi(Parts parts);

    // Answers, from the head alone, what can be answered before the body is read: unknown
    // routes, wrong methods, a missing token.
    std::optional<HttpResponse> preflight(const HttpRequest &head);
    // A request whose head preflight() let through.
    void handle(HttpRequest request, const Responder &respond);

private:
    enum class Kind
    {
        Tensor, // KServe v2 infer
        Images  // /v1/predict
    };

    // Which model answers an inference request, and what else happens to it.
    struct Routing
    {
        std::shared_ptr<models::ServedModel> model;     // null: none to answer
        std::shared_ptr<models::ServedModel> candidate; // loaded, and not production
        bool canaryRunning = false;                     // the canary guard hears the answer
        bool onCanary = false;                          // the candidate answers it
        bool shadow = false;                            // mirrored to the candidate after
    };

    void inferSoon(Kind kind, std::string version, HttpRequest request, const Responder &respond,
                   std::chrono::steady_clock::time_point started);
    void infer(Kind kind, const std::string &version, HttpRequest request, const Responder &respond,
               std::chrono::steady_clock::time_point started);
    // The request's images, decoded once they are within the budgets.
    InferenceInput readImages(const HttpRequest &request, std::optional<HttpResponse> *refusal);
    HttpResponse queueFull() const;
    Routing choose(const std::string &version, const annotation::ExperimentSettings &experiment);
    void judgeCanary(const Routing &routing, const LiveSettings &settings, bool failed,
                     std::chrono::steady_clock::time_point started);
    void keepLowConfidence(const CapturePolicy &policy, const models::BatchAnswer &result,
                           const InferenceInput &input);
    void finish(const Responder &respond, HttpResponse response,
                std::chrono::steady_clock::time_point started);
    void record(int status, std::chrono::steady_clock::time_point started);
    void count(const HttpRequest &request, const HttpResponse &response,
               std::chrono::steady_clock::time_point started);
    std::optional<HttpResponse> refuse(const HttpRequest &request) const;
    static std::string pathOf(const HttpRequest &request);
    bool authorized(const HttpRequest &request) const;
    // The version a failed request is counted under: the one named, else production's.
    std::string failureVersion(const std::string &named) const;
    std::shared_ptr<models::ServedModel> versionModel(const std::string &version) const;
    // "loaded: 3 (production), 5 (candidate)"
    std::string loadedVersionsText() const;

    // servingapimetadata.cpp: the answers that are not inference.
    HttpResponse serverMetadata() const;
    HttpResponse modelMetadata(const std::string &version) const;
    HttpResponse readiness(const ServingRoute &route) const;
    HttpResponse statistics(const std::string &version) const;
    HttpResponse metricsAnswer() const;

    // Counts the requests whose body is being parsed and decoded, for /metrics.
    class DecodingCount final
    {
    public:
        explicit DecodingCount(std::atomic<int> &count) : m_count(count) { ++m_count; }
        ~DecodingCount() { --m_count; }
        DecodingCount(const DecodingCount &) = delete;
        DecodingCount &operator=(const DecodingCount &) = delete;

    private:
        std::atomic<int> &m_count;
    };

    Parts m_parts;
    std::atomic<int> m_decoding{0};
    ShareSelector m_canarySelector;
    ShareSelector m_shadowSelector;
};

} // namespace digitdesk::app
