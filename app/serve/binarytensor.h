#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace digitdesk::app {

// A KServe v2 request body under Triton's binary tensor data extension: the JSON header, then
// the tensors' raw bytes.
struct BinaryBody
{
    std::string_view json;  // the whole body when the request has no binary part
    std::string_view bytes; // what follows the JSON header
    bool raw = false;       // Inference-Header-Content-Length: 0, a body of tensor bytes alone
};

// Splits `body` where the Inference-Header-Content-Length header (`headerLength`, as sent;
// empty when absent) says. False with `error` set when the header is not a length or is longer
// than the body.
bool splitBinaryBody(std::string_view headerLength, std::string_view body, BinaryBody *split,
                     std::string *error);

enum class PixelType
{
    Fp32,  // 4 bytes little-endian, 0..1
    Uint8, // 1 byte, 0..255
};

// Reads `values` pixels from an input's binary data into `out` (0..1), after checking that the
// size the input declares (parameters.binary_data_size, any JSON number), the size its shape
// needs and the bytes that follow the header all agree. Empty when they do, else why not.
std::string readBinaryPixels(double declaredSize, std::string_view bytes, PixelType type,
                             std::size_t values, std::vector<float> *out);

} // namespace digitdesk::app
