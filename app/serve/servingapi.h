#pragma once

#include "app/serve/httpmessage.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace digitdesk::models {
class DynamicBatcher;
}

namespace digitdesk::app {

class ModelWatcher;
class PredictionTally;
class ServingMetrics;
class SloLedger;
class StorageWriter;
struct InferenceInput;

// The endpoint's routes: KServe v2 (health, metadata, infer), /v1/predict and /metrics, the
// bearer-token rule off loopback, and what every inference answer counts and captures.
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
        // Runs large requests' parsing off the connection thread; empty: parse in place.
        std::function<void(std::function<void()>)> offload;
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

    static constexpr size_t LargeBody = 64 * 1024;

    void inferSoon(Kind kind, HttpRequest request, const Responder &respond,
                   std::chrono::steady_clock::time_point started);
    void infer(Kind kind, HttpRequest request, const Responder &respond,
               std::chrono::steady_clock::time_point started);
    void finish(const Responder &respond, HttpResponse response,
                std::chrono::steady_clock::time_point started);
    void record(int status, std::chrono::steady_clock::time_point started);
    void count(const HttpRequest &request, const HttpResponse &response,
               std::chrono::steady_clock::time_point started);
    std::optional<HttpResponse> refuse(const HttpRequest &request) const;
    static std::string pathOf(const HttpRequest &request);
    bool authorized(const HttpRequest &request) const;
    HttpResponse modelMetadata() const;
    HttpResponse readiness() const;

    Parts m_parts;
};

} // namespace digitdesk::app
