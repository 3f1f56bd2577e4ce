#include "app/serve/servingroute.h"

namespace digitdesk::app {
namespace {

bool consume(std::string_view &path, std::string_view prefix)
{
    if (path.substr(0, prefix.size()) != prefix) {
        return false;
    }
    path.remove_prefix(prefix.size());
    return true;
}

// The part of /v2/models/digits... after the model (and version): "", "/ready", ...
ServingRoute modelRoute(std::string_view rest, std::string version)
{
    ServingRoute route;
    route.version = std::move(version);
    if (rest.empty()) {
        route.kind = ServingRoute::Kind::ModelMetadata;
    } else if (rest == "/ready") {
        route.kind = ServingRoute::Kind::ModelReady;
    } else if (rest == "/infer") {
        route.kind = ServingRoute::Kind::Infer;
    } else if (rest == "/stats") {
        route.kind = ServingRoute::Kind::Stats;
    }
    return route;
}

} // namespace

ServingRoute routeOf(std::string_view path)
{
    ServingRoute route;
    using Kind = ServingRoute::Kind;
    if (path == "/v2/health/live") {
        route.kind = Kind::Live;
    } else if (path == "/v2/health/ready") {
        route.kind = Kind::Ready;
    } else if (path == "/v2") {
        route.kind = Kind::ServerMetadata;
    } else if (path == "/v1/predict") {
        route.kind = Kind::Predict;
    } else if (path == "/metrics") {
        route.kind = Kind::Metrics;
    } else if (path == "/openapi.json") {
        route.kind = Kind::OpenApi;
    } else if (path == "/v2/models/stats") {
        route.kind = Kind::Stats;
        route.allModels = true;
    } else if (consume(path, "/v2/models/")) {
        if (!consume(path, "digits") || (!path.empty() && path.front() != '/')) {
            route.kind = Kind::UnknownModel;
            return route;
        }
        if (!consume(path, "/versions/")) {
            return modelRoute(path, {});
        }
        const size_t slash = path.find('/');
        const std::string_view version = path.substr(0, slash);
        if (version.empty()) {
            return route;
        }
        return modelRoute(slash == std::string_view::npos ? std::string_view() : path.substr(slash),
                          std::string(version));
    }
    return route;
}

} // namespace digitdesk::app
