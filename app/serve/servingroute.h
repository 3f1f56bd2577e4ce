#pragma once

#include <string>
#include <string_view>

namespace digitdesk::app {

// What a request path asks for. KServe v2 addresses a model version as
// /v2/models/digits/versions/{version}[/ready|/infer|/stats]; the paths without a version
// mean production (for infer, production or the canary).
struct ServingRoute
{
    enum class Kind
    {
        Unknown,
        UnknownModel, // under /v2/models/, but not the model 'digits'
        Live,
        Ready,
        ServerMetadata,
        ModelMetadata,
        ModelReady,
        Infer,
        Stats,
        Predict, // /v1/predict
        Metrics,
        OpenApi
    };
    Kind kind = Kind::Unknown;
    std::string version;    // empty: none named
    bool allModels = false; // /v2/models/stats

    bool isPost() const { return kind == Kind::Infer || kind == Kind::Predict; }
    // Health probes answer without a token, as load balancers ask them.
    bool isProbe() const
    {
        return kind == Kind::Live || kind == Kind::Ready || kind == Kind::ModelReady;
    }
    bool isInference() const { return isPost(); }
};

ServingRoute routeOf(std::string_view path);

} // namespace digitdesk::app
