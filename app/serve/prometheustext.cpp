#include "app/serve/prometheustext.h"

#include <charconv>
#include <cmath>

namespace digitdesk::app::prometheus {

std::string number(double value, Notation notation)
{
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char buffer[32];
    const auto result =
        notation == Notation::Fixed
            ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
            : std::to_chars(buffer, buffer + sizeof buffer, value);
    if (result.ec != std::errc()) {
        // Fixed notation past about 1e31 needs more digits than the buffer holds (up to 309).
        return number(value, Notation::Shortest);
    }
    return {buffer, result.ptr};
}

std::string number(std::uint64_t value)
{
    return std::to_string(value);
}

std::string escapeLabel(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string label(std::string_view name, std::string_view value)
{
    std::string out(name);
    out.append("=\"").append(escapeLabel(value)).append("\"");
    return out;
}

std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs)
{
    std::string out;
    for (const auto &[name, value] : pairs) {
        if (!out.empty()) {
            out += ',';
        }
        out += label(name, value);
    }
    return out;
}

void family(std::string &out, std::string_view name, Type type, std::string_view help)
{
    out.append("# HELP ").append(name).append(" ");
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    const char *typeName = type == Type::Counter ? "counter"
                           : type == Type::Gauge ? "gauge"
                                                 : "histogram";
    out.append("\n# TYPE ").append(name).append(" ").append(typeName).append("\n");
}

void sample(std::string &out, std::string_view name, std::string_view labels,
            std::string_view value)
{
    out += name;
    if (!labels.empty()) {
        out.append("{").append(labels).append("}");
    }
    out.append(" ").append(value).append("\n");
}

void sample(std::string &out, std::string_view name, std::string_view labels, double value)
{
    sample(out, name, labels, number(value));
}

} // namespace digitdesk::app::prometheus
