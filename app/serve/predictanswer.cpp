#include "app/serve/predictanswer.h"

#include "app/serve/jsontext.h"
#include "models/dynamicbatcher.h"

#include <algorithm>
#include <cmath>

namespace digitdesk::app {

namespace {

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
    json::appendNumber(out, prediction.oodScore);
    if (model.oodThreshold) {
        out += ",\"out_of_distribution\":";
        out += prediction.oodScore > *model.oodThreshold ? "true" : "false";
    }
    out += ",\"model_version\":";
    json::appendString(out, model.version);
}

} // namespace

bool allFinite(const std::vector<models::Prediction> &predictions)
{
    return std::all_of(predictions.begin(), predictions.end(), [](const auto &prediction) {
        return std::isfinite(prediction.confidence) &&
               std::all_of(prediction.probabilities.begin(), prediction.probabilities.end(),
                           [](float p) { return std::isfinite(p); });
    });
}

std::string predictAnswer(const models::BatchAnswer &result, bool batch)
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

} // namespace digitdesk::app
