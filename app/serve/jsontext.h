#pragma once

#include <charconv>
#include <string>
#include <string_view>

namespace digitdesk::app::json {

// Small, allocation-light writers for the endpoint's answers (thousands of numbers each).
inline void appendString(std::string &out, std::string_view text)
{
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
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += ' ';
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

template <typename Number> void appendNumber(std::string &out, Number value)
{
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
