#include "app/serve/servingapi.h"

#include "annotation/servingcapture.h"
#include "app/serve/canaryguard.h"
#include "app/serve/capturepolicy.h"
#include "app/serve/inferenceinput.h"
#include "app/serve/jsontext.h"
#include "app/serve/modelwatcher.h"
#include "app/serve/openapidocument.h"
#include "app/serve/predictanswer.h"
#include "app/serve/predictiontally.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/servingresponses.h"
#include "app/serve/servingroute.h"
#include "app/serve/servingtoken.h"
#include "app/serve/shadowmirror.h"
#include "app/serve/sloledger.h"
#include "app/serve/storagewriter.h"
#include "app/serve/tensoranswer.h"
#include "models/dynamicbatcher.h"
#include "models/oodscore.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>

namespace digitdesk::app {

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
    // The HTTP server has run preflight() on this request's head: route, method, token and
    // version are checked once, there.
    const auto started = std::chrono::steady_clock::now();
    const ServingRoute route = routeOf(pathOf(request));
    const auto respondCounted = [&](HttpResponse response) {
        m_parts.metrics.recordStatus(response.status);
        respond(std::move(response));
    };
    using RouteKind = ServingRoute::Kind;
    switch (route.kind) {
    case RouteKind::Live:
        respondCounted(answer(200, "{\"live\":true}"));
        break;
    case RouteKind::Ready:
    case RouteKind::ModelReady:
        respondCounted(readiness(route));
        break;
    case RouteKind::Infer:
        inferSoon(Kind::Tensor, route.version, std::move(request), respond, started);
        break;
    case RouteKind::Predict:
        inferSoon(Kind::Images, route.version, std::move(request), respond, started);
        break;
    case RouteKind::Metrics:
        respondCounted(metricsAnswer());
        break;
    case RouteKind::ServerMetadata:
        respondCounted(serverMetadata());
        break;
    case RouteKind::ModelMetadata:
        respondCounted(modelMetadata(route.version));
        break;
    case RouteKind::Stats:
        respondCounted(statistics(route.version));
        break;
    case RouteKind::OpenApi:
        respondCounted(answer(200, openApiDocument()));
        break;
    case RouteKind::Unknown:
    case RouteKind::UnknownModel:
        respondCounted(failure(404, "no such endpoint: " + request.method + " " + pathOf(request)));
        break;
    }
}

std::optional<HttpResponse> ServingApi::refuse(const HttpRequest &request) const
{
    const std::string path = pathOf(request);
    const ServingRoute route = routeOf(path);
    if (route.kind == ServingRoute::Kind::UnknownModel) {
        return failure(404, "there is no model at " + path +
                                "; this endpoint serves the model 'digits'");
    }
    if (route.kind == ServingRoute::Kind::Unknown) {
        return failure(404, "no such endpoint: " + request.method + " " + path);
    }
    const std::string allowed = route.isPost() ? "POST" : "GET";
    if (request.method != allowed) {
        HttpResponse response =
            failure(405, request.method + " is not allowed on " + path + "; use " + allowed);
        response.headers.emplace_back("Allow", allowed);
        return response;
    }
    if (!route.isProbe() && !authorized(request)) {
        HttpResponse response = failure(401, "a bearer token is required off loopback: send "
                                             "`Authorization: Bearer <serving.token>`");
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"digitdesk\"");
        return response;
    }
    if (!route.version.empty() && !versionModel(route.version) &&
        !(route.kind == ServingRoute::Kind::Stats &&
          m_parts.metrics.versions().of(route.version).success > 0)) {
        return failure(404, "version " + route.version + " of model 'digits' is not loaded; " +
                                loadedVersionsText());
    }
    return std::nullopt;
}

void ServingApi::count(const HttpRequest &request, const HttpResponse &response,
                       std::chrono::steady_clock::time_point started)
{
    const ServingRoute route = routeOf(pathOf(request));
    if (route.isInference()) {
        m_parts.metrics.recordFailure(failureVersion(route.version), FailureReason::Other,
                                      elapsed(started));
        record(response.status, started);
    } else {
        m_parts.metrics.recordStatus(response.status);
    }
}

std::string ServingApi::failureVersion(const std::string &named) const
{
    if (!named.empty()) {
        return versionModel(named) ? named : std::string(); // no series for versions not loaded
    }
    const auto production = m_parts.models.current();
    return production ? production->version : std::string();
}

std::shared_ptr<models::ServedModel> ServingApi::versionModel(const std::string &version) const
{
    qint64 id = 0;
    const auto [end, error] = std::from_chars(version.data(), version.data() + version.size(), id);
    if (error != std::errc() || end != version.data() + version.size() || id <= 0) {
        return nullptr;
    }
    return m_parts.models.version(id);
}

std::string ServingApi::pathOf(const HttpRequest &request)
{
    return request.target.substr(0, request.target.find('?'));
}

void ServingApi::inferSoon(Kind kind, std::string version, HttpRequest request,
                           const Responder &respond, std::chrono::steady_clock::time_point started)
{
    if (m_parts.batcher.full()) { // before anything is spent on the body
        m_parts.metrics.recordFailure(failureVersion(version), FailureReason::Rejected,
                                      elapsed(started));
        finish(respond, queueFull(), started);
        return;
    }
    if (!m_parts.offload) {
        infer(kind, version, std::move(request), respond, started);
        return;
    }
    // Parsing even a small body can cost milliseconds (a few kilobytes of PNG can declare
    // millions of pixels): never on the thread that reads every other connection.
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    m_parts.offload([this, kind, version = std::move(version), shared, respond, started] {
        try {
            infer(kind, version, std::move(*shared), respond, started);
        } catch (const std::exception &error) {
            m_parts.metrics.recordFailure(failureVersion(version), FailureReason::Other,
                                          elapsed(started));
            finish(respond, failure(500, std::string("internal error: ") + error.what()), started);
        }
    });
}

ServingApi::Routing ServingApi::choose(const std::string &version,
                                       const annotation::ExperimentSettings &experiment)
{
    Routing routing;
    if (!version.empty()) {
        routing.model = versionModel(version);
        return routing;
    }
    routing.model = m_parts.models.current();
    routing.candidate = m_parts.models.candidate();
    if (!routing.model || !routing.candidate) {
        routing.candidate = nullptr;
        return routing;
    }
    if (m_parts.canary != nullptr &&
        m_parts.canary->admits(routing.candidate->id, experiment.canaryShare)) {
        routing.canaryRunning = true;
        if (m_canarySelector.pick(experiment.canaryShare)) {
            routing.model = routing.candidate;
            routing.onCanary = true;
        }
    }
    routing.shadow = !routing.onCanary && m_parts.shadow != nullptr &&
                     m_shadowSelector.pick(experiment.shadowShare);
    return routing;
}

void ServingApi::infer(Kind kind, const std::string &version, HttpRequest request,
                       const Responder &respond, std::chrono::steady_clock::time_point started)
{
    std::optional<HttpResponse> refusal;
    std::shared_ptr<InferenceInput> input;
    {
        const DecodingCount decoding(m_decoding);
        input = std::make_shared<InferenceInput>(
            kind == Kind::Tensor ? parseTensorRequest(request) : readImages(request, &refusal));
    }
    request.body.clear();
    if (!refusal && !input->ok()) {
        refusal = failure(input->refusal, input->error);
    }
    if (refusal) {
        m_parts.metrics.recordFailure(failureVersion(version),
                                      refusal->status == 503 ? FailureReason::Rejected
                                                             : FailureReason::Other,
                                      elapsed(started));
        finish(respond, std::move(*refusal), started);
        return;
    }
    const LiveSettings settings = m_parts.models.settings();
    Routing routing = choose(version, settings.experiment);
    if (!routing.model) {
        m_parts.metrics.recordFailure(failureVersion(version), FailureReason::Other,
                                      elapsed(started));
        finish(respond,
               version.empty()
                   ? failure(503, "no model is loaded: " + m_parts.models.problem())
                   : failure(404, "version " + version + " of model 'digits' is not loaded; " +
                                      loadedVersionsText()),
               started);
        return;
    }
    const CapturePolicy capture(settings.capture && m_parts.writer != nullptr,
                                settings.captureThreshold);
    const bool batch =
        kind == Kind::Tensor || request.contentType.rfind("application/json", 0) == 0;
    std::vector<float> tensor = std::move(input->tensor);
    const int count = input->count;
    const std::string served = routing.model->version;
    const bool accepted = m_parts.batcher.submit(
        routing.model, std::move(tensor), count,
        [this, input, respond, started, kind, batch, capture, routing, settings,
         served](models::BatchAnswer result) {
            if (result.error.empty() && !allFinite(result.predictions)) {
                result.error = "its output is not a finite number (NaN or infinity)";
            }
            if (!result.error.empty()) {
                m_parts.metrics.recordFailure(served, FailureReason::Backend, elapsed(started));
                finish(respond, failure(500, "the model failed: " + result.error), started);
                judgeCanary(routing, settings, true, started);
                return;
            }
            HttpResponse response = kind == Kind::Tensor
                                        ? tensorAnswer(result, input->answer)
                                        : answer(200, predictAnswer(result, batch));
            // Counted before the client has it: a statistics request sent right after the
            // answer sees it.
            m_parts.metrics.recordSuccess(served, elapsed(started), result.queued, result.computed);
            finish(respond, std::move(response), started);
            judgeCanary(routing, settings, false, started);
            m_parts.tally.record(result.model->id, result.predictions, result.model->oodThreshold);
            keepLowConfidence(capture, result, *input);
            if (routing.shadow) {
                m_parts.shadow->mirror(routing.candidate, std::move(result),
                                       std::move(input->originals));
            }
        });
    if (!accepted) {
        m_parts.metrics.recordFailure(served, FailureReason::Rejected, elapsed(started));
        finish(respond, queueFull(), started);
    }
}

void ServingApi::judgeCanary(const Routing &routing, const LiveSettings &settings, bool failed,
                             std::chrono::steady_clock::time_point started)
{
    if (routing.canaryRunning) {
        m_parts.canary->record(settings.experiment, routing.candidate->id, routing.onCanary, failed,
                               elapsed(started));
    }
}

void ServingApi::keepLowConfidence(const CapturePolicy &policy, const models::BatchAnswer &result,
                                   const InferenceInput &input)
{
    CapturePolicy::Selection selection = policy.select(result, input.originals);
    m_parts.metrics.recordCaptureDecisions(selection.decisions);
    for (annotation::CapturedImage &image : selection.images) {
        m_parts.writer->capture(std::move(image));
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
    const QString token = QString::fromStdString(m_parts.models.settings().token);
    const std::string_view given = request.authorization;
    constexpr std::string_view scheme = "bearer ";
    if (token.isEmpty() || given.size() <= scheme.size()) {
        return false;
    }
    for (size_t i = 0; i < scheme.size(); ++i) { // the scheme is case-insensitive (RFC 9110)
        if (std::tolower(static_cast<unsigned char>(given[i])) != scheme[i]) {
            return false;
        }
    }
    return servingTokenMatches(given.substr(scheme.size()), token);
}

} // namespace digitdesk::app
