#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

namespace digitdesk::app::json {

// Small, allocation-light writers for the endpoint's answers (thousands of numbers each).
// `text` is UTF-8 and is written as it is, but for the characters JSON requires escaped.
inline void appendString(std::string &out, std::string_view text)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (const auto byte = static_cast<unsigned char>(c); byte < 0x20) {
                out += "\\u00";
                out += Hex[byte >> 4];
                out += Hex[byte & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

// JSON has no NaN or infinity: such a number is written as null, never as `nan`.
template <typename Number> void appendNumber(std::string &out, Number value)
{
    if constexpr (std::is_floating_point_v<Number>) {
        if (!std::isfinite(value)) {
            out += "null";
            return;
        }
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

inline std::string error(std::string_view message)
{
    std::string out = "{\"error\":";
    appendString(out, message);
    out += '}';
    return out;
}

} // namespace digitdesk::app::json
