#include "app/serve/servingapi.h"

#include "annotation/servingcapture.h"
#include "app/serve/inferenceinput.h"
#include "app/serve/jsontext.h"
#include "app/serve/modelwatcher.h"
#include "app/serve/predictiontally.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/sloledger.h"
#include "app/serve/storagewriter.h"
#include "models/dynamicbatcher.h"
#include "models/oodscore.h"

#include <cctype>
#include <cmath>
#include <memory>

namespace digitdesk::app {

namespace {

constexpr int Pixels = models::PixelCount;

HttpResponse answer(int status, std::string body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

HttpResponse failure(int status, std::string_view message)
{
    return answer(status, json::error(message));
}

std::chrono::microseconds elapsed(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 since);
}

// Compares without an early exit, so the time taken says nothing about the token.
bool sameSecret(std::string_view given, std::string_view expected)
{
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (size_t i = 0; i < given.size(); ++i) {
        difference |=
            static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(expected[i % std::max<size_t>(1, expected.size())]);
    }
    return difference == 0 && !expected.empty();
}

void appendProbabilities(std::string &out, const models::Prediction &prediction)
{
    out += '[';
    for (size_t c = 0; c < prediction.probabilities.size(); ++c) {
        if (c > 0) {
            out += ',';
        }
        json::appendNumber(out, prediction.probabilities[c]);
    }
    out += ']';
}

std::string tensorAnswer(const models::BatchAnswer &result, const std::string &id)
{
    const auto &predictions = result.predictions;
    std::string out;
    out.reserve(128 + predictions.size() * 120);
    out += "{\"model_name\":\"digits\",\"model_version\":";
    json::appendString(out, result.model->version);
    if (!id.empty()) {
        out += ",\"id\":";
        json::appendString(out, id);
    }
    out += ",\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[";
    json::appendNumber(out, predictions.size());
    out += "],\"data\":[";
    for (size_t i = 0; i < predictions.size(); ++i) {
        out += i > 0 ? "," : "";
        json::appendNumber(out, predictions[i].label);
    }
    out += "]},{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[";
    json::appendNumber(out, predictions.size());
    out += ",10],\"data\":[";
    for (size_t i = 0; i < predictions.size(); ++i) {
        for (size_t c = 0; c < predictions[i].probabilities.size(); ++c) {
            out += (i > 0 || c > 0) ? "," : "";
            json::appendNumber(out, predictions[i].probabilities[c]);
        }
    }
    out += "]}]}";
    return out;
}

void appendPrediction(std::string &out, const models::Prediction &prediction,
                      const models::ServedModel &model)
{
    out += "\"label\":";
    json::appendNumber(out, prediction.label);
    out += ",\"confidence\":";
    json::appendNumber(out, prediction.confidence);
    out += ",\"probabilities\":";
    appendProbabilities(out, prediction);
    out += ",\"ood_score\":";
    if (std::isfinite(prediction.oodScore)) {
        json::appendNumber(out, prediction.oodScore);
    } else {
        out += "null";
    }
    if (model.oodThreshold) {
        out += ",\"out_of_distribution\":";
        out += prediction.oodScore > *model.oodThreshold ? "true" : "false";
    }
    out += ",\"model_version\":";
    json::appendString(out, model.version);
}

std::string imagesAnswer(const models::BatchAnswer &result, bool batch)
{
    std::string out;
    out.reserve(64 + result.predictions.size() * 160);
    if (!batch) {
        out += '{';
        appendPrediction(out, result.predictions.front(), *result.model);
        out += '}';
        return out;
    }
    out += "{\"model_version\":";
    json::appendString(out, result.model->version);
    out += ",\"predictions\":[";
    for (size_t i = 0; i < result.predictions.size(); ++i) {
        out += i > 0 ? ",{" : "{";
        appendPrediction(out, result.predictions[i], *result.model);
        out += '}';
    }
    out += "]}";
    return out;
}

} // namespace

ServingApi::ServingApi(Parts parts) : m_parts(std::move(parts)) {}

std::optional<HttpResponse> ServingApi::preflight(const HttpRequest &head)
{
    const auto started = std::chrono::steady_clock::now();
    std::optional<HttpResponse> refusal = refuse(head);
    if (refusal) {
        count(head, *refusal, started);
    }
    return refusal;
}

void ServingApi::handle(HttpRequest request, const Responder &respond)
{
    // The HTTP server has run preflight() on this request's head: route, method and token are
    // checked once, there.
    const auto started = std::chrono::steady_clock::now();
    const std::string path = pathOf(request);
    const auto respondCounted = [&](HttpResponse response) {
        m_parts.metrics.recordStatus(response.status);
        respond(std::move(response));
    };
    if (path == "/v2/health/live") {
        respondCounted(answer(200, "{\"live\":true}"));
    } else if (path == "/v2/health/ready" || path == "/v2/models/digits/ready") {
        respondCounted(readiness());
    } else if (path == "/v2/models/digits/infer") {
        inferSoon(Kind::Tensor, std::move(request), respond, started);
    } else if (path == "/v1/predict") {
        inferSoon(Kind::Images, std::move(request), respond, started);
    } else if (path == "/metrics") {
        const auto model = m_parts.models.current();
        ServingMetrics::Live live;
        live.pending = m_parts.batcher.pending();
        live.connections = m_parts.openConnections ? m_parts.openConnections() : 0;
        if (model) {
            live.modelVersion = model->version;
            live.device = model->device;
        }
        HttpResponse response = answer(200, m_parts.metrics.render(live, m_parts.ledger));
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        respondCounted(std::move(response));
    } else if (path == "/v2") {
        std::string body = "{\"name\":\"digitdesk\",\"version\":";
        json::appendString(body, m_parts.serverVersion);
        body += ",\"extensions\":[]}";
        respondCounted(answer(200, std::move(body)));
    } else if (path == "/v2/models/digits") {
        respondCounted(modelMetadata());
    } else {
        respondCounted(failure(404, "no such endpoint: " + request.method + " " + path));
    }
}

std::optional<HttpResponse> ServingApi::refuse(const HttpRequest &request) const
{
    const std::string path = pathOf(request);
    const bool probe = path == "/v2/health/live" || path == "/v2/health/ready" ||
                       path == "/v2/models/digits/ready";
    const bool post = path == "/v2/models/digits/infer" || path == "/v1/predict";
    const bool get = probe || path == "/v2" || path == "/v2/models/digits" || path == "/metrics";
    if (!post && !get) {
        if (path.rfind("/v2/models/", 0) == 0) {
            return failure(404, "there is no model at " + path +
                                    "; this endpoint serves the model 'digits'");
        }
        return failure(404, "no such endpoint: " + request.method + " " + path);
    }
    const std::string allowed = post ? "POST" : "GET";
    if (request.method != allowed) {
        HttpResponse response =
            failure(405, request.method + " is not allowed on " + path + "; use " + allowed);
        response.headers.emplace_back("Allow", allowed);
        return response;
    }
    if (!probe && !authorized(request)) {
        HttpResponse response = failure(401, "a bearer token is required off loopback: send "
                                             "`Authorization: Bearer <serving.token>`");
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"digitdesk\"");
        return response;
    }
    return std::nullopt;
}

void ServingApi::count(const HttpRequest &request, const HttpResponse &response,
                       std::chrono::steady_clock::time_point started)
{
    const std::string path = pathOf(request);
    if (path == "/v2/models/digits/infer" || path == "/v1/predict") {
        m_parts.metrics.recordFailure(FailureReason::Other);
        record(response.status, started);
    } else {
        m_parts.metrics.recordStatus(response.status);
    }
}

std::string ServingApi::pathOf(const HttpRequest &request)
{
    return request.target.substr(0, request.target.find('?'));
}

void ServingApi::inferSoon(Kind kind, HttpRequest request, const Responder &respond,
                           std::chrono::steady_clock::time_point started)
{
    if (request.body.size() <= LargeBody || !m_parts.offload) {
        infer(kind, std::move(request), respond, started);
        return;
    }
    // Parsing and decoding 1,000 images takes tens of milliseconds: not on the thread that
    // reads every other connection.
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    m_parts.offload([this, kind, shared, respond, started] {
        try {
            infer(kind, std::move(*shared), respond, started);
        } catch (const std::exception &error) {
            m_parts.metrics.recordFailure(FailureReason::Other);
            finish(respond, failure(500, std::string("internal error: ") + error.what()), started);
        }
    });
}

void ServingApi::infer(Kind kind, HttpRequest request, const Responder &respond,
                       std::chrono::steady_clock::time_point started)
{
    auto input = std::make_shared<InferenceInput>(
        kind == Kind::Tensor ? parseTensorRequest(request.body)
                             : parseImageRequest(request.contentType, request.body));
    request.body.clear();
    if (!input->ok()) {
        m_parts.metrics.recordFailure(FailureReason::Other);
        finish(respond, failure(400, input->error), started);
        return;
    }
    std::shared_ptr<models::ServedModel> model = m_parts.models.current();
    if (!model) {
        m_parts.metrics.recordFailure(FailureReason::Other);
        finish(respond, failure(503, "no model is loaded: " + m_parts.models.problem()), started);
        return;
    }
    const LiveSettings settings = m_parts.models.settings();
    const bool capture = settings.capture && m_parts.writer != nullptr;
    const double threshold = settings.captureThreshold;
    const bool batch =
        kind == Kind::Tensor || request.contentType.rfind("application/json", 0) == 0;
    std::vector<float> tensor = std::move(input->tensor);
    const int count = input->count;
    const bool accepted = m_parts.batcher.submit(
        std::move(model), std::move(tensor), count,
        [this, input, respond, started, kind, batch, capture,
         threshold](models::BatchAnswer result) {
            if (!result.error.empty()) {
                m_parts.metrics.recordFailure(FailureReason::Backend);
                finish(respond, failure(500, "the model failed: " + result.error), started);
                return;
            }
            m_parts.metrics.recordSuccess(result.queued, result.computed);
            finish(respond,
                   answer(200, kind == Kind::Tensor ? tensorAnswer(result, input->id)
                                                    : imagesAnswer(result, batch)),
                   started);
            m_parts.tally.record(result.model->id, result.predictions, result.model->oodThreshold);
            if (!capture) {
                return;
            }
            for (size_t i = 0; i < result.predictions.size(); ++i) {
                const models::Prediction &prediction = result.predictions[i];
                if (prediction.confidence >= threshold) {
                    continue;
                }
                annotation::CapturedImage image;
                image.pixels.resize(Pixels);
                const float *pixels = result.input.data() + i * Pixels;
                for (int p = 0; p < Pixels; ++p) {
                    image.pixels[p] = static_cast<char>(
                        static_cast<unsigned char>(std::lround(pixels[p] * 255.0F)));
                }
                if (i < input->originals.size()) {
                    image.original = input->originals[i];
                }
                image.modelId = result.model->id;
                image.label = prediction.label;
                image.confidence = prediction.confidence;
                image.probabilities = prediction.probabilities;
                m_parts.writer->capture(std::move(image));
            }
        });
    if (!accepted) {
        m_parts.metrics.recordFailure(FailureReason::Rejected);
        HttpResponse response =
            failure(503, "the queue is full (" + std::to_string(m_parts.batcher.pending()) +
                             " requests waiting); retry shortly");
        response.headers.emplace_back("Retry-After", "1");
        finish(respond, std::move(response), started);
    }
}

void ServingApi::finish(const Responder &respond, HttpResponse response,
                        std::chrono::steady_clock::time_point started)
{
    record(response.status, started);
    respond(std::move(response));
}

void ServingApi::record(int status, std::chrono::steady_clock::time_point started)
{
    const auto latency = elapsed(started);
    m_parts.metrics.recordRequest(status, latency);
    m_parts.ledger.record(status >= 500 || latency > SloLedger::LatencyObjective);
}

bool ServingApi::authorized(const HttpRequest &request) const
{
    if (request.fromLoopback && !m_parts.requireToken) {
        return true;
    }
    const std::string token = m_parts.models.settings().token;
    const std::string_view given = request.authorization;
    constexpr std::string_view scheme = "bearer ";
    if (token.empty() || given.size() <= scheme.size()) {
        return false;
    }
    for (size_t i = 0; i < scheme.size(); ++i) { // the scheme is case-insensitive (RFC 9110)
        if (std::tolower(static_cast<unsigned char>(given[i])) != scheme[i]) {
            return false;
        }
    }
    return sameSecret(given.substr(scheme.size()), token);
}

HttpResponse ServingApi::readiness() const
{
    if (m_parts.draining && m_parts.draining()) {
        return failure(503, "the endpoint is shutting down");
    }
    if (m_parts.models.current()) {
        return answer(200, "{\"ready\":true}");
    }
    std::string body = "{\"ready\":false,\"error\":";
    json::appendString(body, "no model is loaded: " + m_parts.models.problem());
    body += '}';
    return answer(503, std::move(body));
}

HttpResponse ServingApi::modelMetadata() const
{
    const auto model = m_parts.models.current();
    if (!model) {
        return failure(503, "no model is loaded: " + m_parts.models.problem());
    }
    std::string body = "{\"name\":\"digits\",\"versions\":[";
    json::appendString(body, model->version);
    body += "],\"platform\":\"pytorch_libtorch\",\"model_version\":";
    json::appendString(body, model->version);
    body += ",\"device\":";
    json::appendString(body, model->device);
    body += ",\"temperature\":";
    json::appendNumber(body, model->instances.front()->temperature());
    body += ",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,28,28]}],"
            "\"accepted_inputs\":\"FP32 in 0..1 or UINT8 in 0..255, shape [N,1,28,28] or "
            "[N,784], white ink on black\","
            "\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[-1]},"
            "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,10]}]";
    body += ",\"ood\":{\"score\":\"";
    body += models::OodScoreName;
    body += "\",\"threshold\":";
    if (model->oodThreshold) {
        json::appendNumber(body, *model->oodThreshold);
    } else {
        body += "null,\"note\":";
        json::appendString(body, "model " + model->version +
                                     " has no out-of-distribution threshold in its metrics "
                                     "(imported, or trained before DigitDesk computed one): "
                                     "no answer is flagged");
    }
    body += '}';
    const std::string problem = m_parts.models.problem();
    if (!problem.empty()) {
        body += ",\"last_load_error\":";
        json::appendString(body, problem);
    }
    body += '}';
    return answer(200, std::move(body));
}

} // namespace digitdesk::app
