#include "app/serve/binarytensor.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace digitdesk::app {

namespace {

// 2^53: every whole number of bytes up to here is exact in a double.
constexpr double MaxExactSize = 9007199254740992.0;

float littleEndianFloat(const char *bytes)
{
    std::uint32_t bits = 0;
    for (int i = 3; i >= 0; --i) {
        bits = (bits << 8) | static_cast<unsigned char>(bytes[i]);
    }
    return std::bit_cast<float>(bits);
}

} // namespace

bool splitBinaryBody(std::string_view headerLength, std::string_view body, BinaryBody *split,
                     std::string *error)
{
    *split = BinaryBody{};
    if (headerLength.empty()) {
        split->json = body;
        return true;
    }
    std::uint64_t length = 0;
    const char *end = headerLength.data() + headerLength.size();
    const auto result = std::from_chars(headerLength.data(), end, length);
    if (result.ec != std::errc() || result.ptr != end) {
        *error = "Inference-Header-Content-Length '" + std::string(headerLength.substr(0, 32)) +
                 "' is not a number of bytes";
        return false;
    }
    if (length > body.size()) {
        *error = "Inference-Header-Content-Length says the JSON header is " +
                 std::to_string(length) + " bytes, but the body holds only " +
                 std::to_string(body.size());
        return false;
    }
    split->json = body.substr(0, length);
    split->bytes = body.substr(length);
    split->raw = length == 0;
    return true;
}

std::string readBinaryPixels(double declaredSize, std::string_view bytes, PixelType type,
                             std::size_t values, std::vector<float> *out)
{
    if (!(declaredSize >= 0 && declaredSize <= MaxExactSize) ||
        declaredSize != std::floor(declaredSize)) {
        return "the input's parameters.binary_data_size must be a whole number of bytes";
    }
    const auto declared = static_cast<std::uint64_t>(declaredSize);
    const std::size_t width = type == PixelType::Fp32 ? 4 : 1;
    std::size_t needed = 0;
    if (__builtin_mul_overflow(values, width, &needed)) {
        return "the input's shape is too large";
    }
    const char *typeName = type == PixelType::Fp32 ? "FP32" : "UINT8";
    if (declared != needed) {
        return "the input's parameters.binary_data_size is " + std::to_string(declared) +
               " bytes; its shape of " + typeName + " values needs " + std::to_string(needed);
    }
    if (bytes.size() != needed) {
        return "the body holds " + std::to_string(bytes.size()) +
               " bytes after the JSON header; the input's binary_data_size says " +
               std::to_string(needed);
    }
    out->resize(values);
    float *target = out->data();
    if (type == PixelType::Uint8) {
        for (std::size_t i = 0; i < values; ++i) {
            target[i] = static_cast<float>(static_cast<unsigned char>(bytes[i])) / 255.0F;
        }
        return {};
    }
    for (std::size_t i = 0; i < values; ++i) {
        const float value = littleEndianFloat(bytes.data() + i * 4);
        if (!(value >= 0.0F && value <= 1.0F)) {
            return "binary value " + std::to_string(i) +
                   " of the input is outside 0..1 (FP32 pixels are scaled to 0..1)";
        }
        target[i] = value;
    }
    return {};
}

} // namespace digitdesk::app
