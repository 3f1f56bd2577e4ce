// The KServe v2 request parser on any body, as JSON and with Triton's binary tensor data
// extension (the first two bytes give Inference-Header-Content-Length).
#include "app/serve/inferenceinput.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    digitdesk::app::HttpRequest request;
    request.method = "POST";
    request.target = "/v2/models/digits/infer";
    request.contentType = "application/json";
    const unsigned headerLength = (static_cast<unsigned>(data[0]) << 8) | data[1];
    if (headerLength != 0xffff) {
        request.inferenceHeaderLength = std::to_string(headerLength % (size + 8));
    }
    request.body.assign(reinterpret_cast<const char *>(data) + 2, size - 2);
    const digitdesk::app::InferenceInput input = digitdesk::app::parseTensorRequest(request);
    if (input.ok() && input.tensor.size() != static_cast<size_t>(input.count) * 784) {
        __builtin_trap(); // a request taken must hold exactly the images it says
    }
    return 0;
}
