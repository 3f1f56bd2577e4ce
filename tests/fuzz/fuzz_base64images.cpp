// /v1/predict's JSON body of base64 images on any bytes: the JSON, the base64 decoder and the
// image checks must refuse bad input with a reason, whatever the bytes.
#include "app/serve/inferenceinput.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string body(reinterpret_cast<const char *>(data), size);
    const digitdesk::app::InferenceInput input =
        digitdesk::app::parseImageRequest("application/json", body);
    if (input.ok() && input.tensor.size() != static_cast<size_t>(input.count) * 784) {
        __builtin_trap();
    }
    return 0;
}
