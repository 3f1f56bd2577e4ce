#include "app/serve/tensoranswer.h"

#include "app/serve/jsontext.h"
#include "models/dynamicbatcher.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace digitdesk::app {

namespace {

constexpr size_t Classes = 10;

bool knownOutput(const std::string &name)
{
    for (const char *known : OutputNames) {
        if (name == known) {
            return true;
        }
    }
    return false;
}

// Raw tensor bytes as the binary extension carries them: little-endian, row-major.
template <typename Value> void appendRaw(std::string &out, Value value)
{
    char bytes[sizeof(Value)];
    std::memcpy(bytes, &value, sizeof(Value));
    if constexpr (std::endian::native == std::endian::big) {
        for (size_t i = 0; i < sizeof(Value) / 2; ++i) {
            std::swap(bytes[i], bytes[sizeof(Value) - 1 - i]);
        }
    }
    out.append(bytes, sizeof(Value));
}

struct Output
{
    std::string name;
    bool binary = false;
};

std::vector<Output> outputsToAnswer(const TensorAnswerOptions &options)
{
    std::vector<Output> outputs;
    if (options.outputs.empty()) {
        for (const char *name : OutputNames) {
            outputs.push_back({name, options.binaryOutput});
        }
        return outputs;
    }
    for (const RequestedOutput &requested : options.outputs) {
        outputs.push_back(
            {requested.name, requested.hasBinary ? requested.binary : options.binaryOutput});
    }
    return outputs;
}

void appendLabels(const models::BatchAnswer &result, bool binary, std::string &header,
                  std::string &raw)
{
    const auto &predictions = result.predictions;
    header += "{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[";
    json::appendNumber(header, predictions.size());
    header += ']';
    if (binary) {
        header += ",\"parameters\":{\"binary_data_size\":";
        json::appendNumber(header, predictions.size() * sizeof(std::int64_t));
        header += "}}";
        for (const models::Prediction &prediction : predictions) {
            appendRaw(raw, static_cast<std::int64_t>(prediction.label));
        }
        return;
    }
    header += ",\"data\":[";
    for (size_t i = 0; i < predictions.size(); ++i) {
        header += i > 0 ? "," : "";
        json::appendNumber(header, predictions[i].label);
    }
    header += "]}";
}

void appendProbabilities(const models::BatchAnswer &result, bool binary, std::string &header,
                         std::string &raw)
{
    const auto &predictions = result.predictions;
    header += "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[";
    json::appendNumber(header, predictions.size());
    header += ",10]";
    if (binary) {
        header += ",\"parameters\":{\"binary_data_size\":";
        json::appendNumber(header, predictions.size() * Classes * sizeof(float));
        header += "}}";
        for (const models::Prediction &prediction : predictions) {
            for (size_t c = 0; c < Classes; ++c) {
                appendRaw(raw, c < prediction.probabilities.size()
                                   ? static_cast<float>(prediction.probabilities[c])
                                   : 0.0F);
            }
        }
        return;
    }
    header += ",\"data\":[";
    for (size_t i = 0; i < predictions.size(); ++i) {
        for (size_t c = 0; c < predictions[i].probabilities.size(); ++c) {
            header += (i > 0 || c > 0) ? "," : "";
            json::appendNumber(header, predictions[i].probabilities[c]);
        }
    }
    header += "]}";
}

} // namespace

std::string checkRequestedOutputs(const std::vector<RequestedOutput> &outputs)
{
    std::string known;
    for (const char *name : OutputNames) {
        known += known.empty() ? "" : ", ";
        known += name;
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].name.empty()) {
            return "outputs[" + std::to_string(i) + "] has no name; the model's outputs are " +
                   known;
        }
        if (!knownOutput(outputs[i].name)) {
            return "outputs[" + std::to_string(i) + "] asks for '" + outputs[i].name +
                   "', which the model 'digits' does not have; its outputs are " + known;
        }
        for (size_t j = 0; j < i; ++j) {
            if (outputs[j].name == outputs[i].name) {
                return "outputs[" + std::to_string(i) + "] asks for '" + outputs[i].name +
                       "' a second time";
            }
        }
    }
    return {};
}

HttpResponse tensorAnswer(const models::BatchAnswer &result, const TensorAnswerOptions &options)
{
    const std::vector<Output> outputs = outputsToAnswer(options);
    std::string header;
    std::string raw;
    header.reserve(128 + result.predictions.size() * 120);
    header += "{\"model_name\":\"digits\",\"model_version\":";
    json::appendString(header, result.model->version);
    if (options.hasId) {
        header += ",\"id\":";
        json::appendString(header, options.id);
    }
    header += ",\"outputs\":[";
    bool anyBinary = false;
    for (size_t i = 0; i < outputs.size(); ++i) {
        header += i > 0 ? "," : "";
        anyBinary = anyBinary || outputs[i].binary;
        if (outputs[i].name == "label") {
            appendLabels(result, outputs[i].binary, header, raw);
        } else {
            appendProbabilities(result, outputs[i].binary, header, raw);
        }
    }
    header += "]}";
    HttpResponse response;
    if (!anyBinary) {
        response.body = std::move(header);
        return response;
    }
    response.contentType = "application/octet-stream";
    response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(header.size()));
    response.body = std::move(header);
    response.body += raw;
    return response;
}

} // namespace digitdesk::app
