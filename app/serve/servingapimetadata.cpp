// ServingApi's answers that are not inference: metadata, readiness, statistics and metrics.
#include "app/serve/canaryguard.h"
#include "app/serve/jsontext.h"
#include "app/serve/modelwatcher.h"
#include "app/serve/servingapi.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/servingresponses.h"
#include "app/serve/servingroute.h"
#include "models/dynamicbatcher.h"
#include "models/oodscore.h"

#include <set>

namespace digitdesk::app {

std::string ServingApi::loadedVersionsText() const
{
    const std::vector<LoadedModel> loaded = m_parts.models.loaded();
    if (loaded.empty()) {
        return "no version is loaded";
    }
    std::string text = "loaded: ";
    for (size_t i = 0; i < loaded.size(); ++i) {
        text += (i > 0 ? ", " : "") + loaded[i].model->version + " (" + loaded[i].role + ")";
    }
    return text;
}

HttpResponse ServingApi::serverMetadata() const
{
    std::string body = "{\"name\":\"digitdesk\",\"version\":";
    json::appendString(body, m_parts.serverVersion);
    body += ",\"extensions\":[\"binary_tensor_data\",\"statistics\"]}";
    return answer(200, std::move(body));
}

HttpResponse ServingApi::readiness(const ServingRoute &route) const
{
    if (m_parts.draining && m_parts.draining()) {
        return failure(503, "the endpoint is shutting down");
    }
    if (!route.version.empty()) {
        std::string body = "{\"name\":\"digits\",\"version\":";
        json::appendString(body, route.version);
        body += ",\"ready\":true}";
        return answer(200, std::move(body)); // preflight answered 404 for a version not loaded
    }
    if (m_parts.models.current()) {
        // KServe v2's $ready_model_response names the model; $ready_server_response does not.
        return answer(200, route.kind == ServingRoute::Kind::ModelReady
                               ? "{\"name\":\"digits\",\"ready\":true}"
                               : "{\"ready\":true}");
    }
    std::string body = "{\"ready\":false,\"error\":";
    json::appendString(body, "no model is loaded: " + m_parts.models.briefProblem());
    body += '}';
    return answer(503, std::move(body));
}

HttpResponse ServingApi::modelMetadata(const std::string &version) const
{
    const auto model = version.empty() ? m_parts.models.current() : versionModel(version);
    if (!model) {
        return failure(503, "no model is loaded: " + m_parts.models.problem());
    }
    const std::vector<LoadedModel> loaded = m_parts.models.loaded();
    std::string body = "{\"name\":\"digits\",\"versions\":[";
    for (size_t i = 0; i < loaded.size(); ++i) {
        body += i > 0 ? "," : "";
        json::appendString(body, loaded[i].model->version);
    }
    body += "],\"platform\":\"pytorch_libtorch\",\"model_version\":";
    json::appendString(body, model->version);
    body += ",\"loaded_versions\":[";
    for (size_t i = 0; i < loaded.size(); ++i) {
        body += i > 0 ? ",{\"version\":" : "{\"version\":";
        json::appendString(body, loaded[i].model->version);
        body += ",\"role\":";
        json::appendString(body, loaded[i].role);
        body += '}';
    }
    body += "],\"device\":";
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

HttpResponse ServingApi::statistics(const std::string &version) const
{
    const std::map<std::string, VersionCounts> counts = m_parts.metrics.versions().snapshot();
    const auto countsOf = [&counts](const std::string &name) {
        const auto found = counts.find(name);
        return found == counts.end() ? VersionCounts{} : found->second;
    };
    std::vector<std::pair<std::string, VersionCounts>> versions;
    if (!version.empty()) {
        versions.emplace_back(version, countsOf(version));
    } else {
        // Every loaded version, and every version that answered since the endpoint started.
        std::set<std::string> names;
        for (const LoadedModel &loaded : m_parts.models.loaded()) {
            names.insert(loaded.model->version);
        }
        for (const auto &[name, count] : counts) {
            if (!name.empty()) {
                names.insert(name);
            }
        }
        for (const std::string &name : names) {
            versions.emplace_back(name, countsOf(name));
        }
    }
    return answer(200, renderStatistics(versions));
}

HttpResponse ServingApi::metricsAnswer() const
{
    ServingMetrics::Live live;
    live.pending = m_parts.batcher.pending();
    live.connections = m_parts.openConnections ? m_parts.openConnections() : 0;
    for (const LoadedModel &loaded : m_parts.models.loaded()) {
        live.loaded.push_back({loaded.model->version, loaded.role, loaded.model->device});
    }
    const LiveSettings settings = m_parts.models.settings();
    const auto candidate = m_parts.models.candidate();
    live.shadowShare = candidate && m_parts.shadow != nullptr ? settings.experiment.shadowShare : 0;
    live.canaryShare =
        candidate && m_parts.canary != nullptr &&
                m_parts.canary->admits(candidate->id, settings.experiment.canaryShare)
            ? settings.experiment.canaryShare
            : 0;
    live.captureEnabled = settings.capture && m_parts.writer != nullptr;
    live.decoding = m_decoding.load();
    HttpResponse response = answer(200, m_parts.metrics.render(live, m_parts.ledger));
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return response;
}

} // namespace digitdesk::app
