#pragma once

#include "app/serve/httpmessage.h"

#include <string>
#include <vector>

namespace digitdesk::models {
struct BatchAnswer;
}

namespace digitdesk::app {

// One entry of a KServe v2 request's `outputs`.
struct RequestedOutput
{
    std::string name;
    bool binary = false;    // parameters.binary_data
    bool hasBinary = false; // given, so it overrides the request's binary_data_output
};

// What a KServe v2 request asks of its answer.
struct TensorAnswerOptions
{
    std::string id; // echoed when given, even empty
    bool hasId = false;
    std::vector<RequestedOutput> outputs; // empty: every output, as the protocol says
    bool binaryOutput = false;            // the request's parameters.binary_data_output
};

// The model's outputs, in the order an answer lists them when the request names none.
inline constexpr const char *OutputNames[] = {"label", "probabilities"};

// Empty when the request's outputs can be answered, else why not (a 400 naming the output
// and the ones there are).
std::string checkRequestedOutputs(const std::vector<RequestedOutput> &outputs);

// The answer to POST /v2/models/digits/infer: JSON, or with Triton's binary tensor data
// extension a JSON header (its length in Inference-Header-Content-Length) followed by the raw
// little-endian bytes of each binary output, in the order the header lists them.
HttpResponse tensorAnswer(const models::BatchAnswer &result, const TensorAnswerOptions &options);

} // namespace digitdesk::app
