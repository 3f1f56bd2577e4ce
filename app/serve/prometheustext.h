#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// The Prometheus text exposition format (version 0.0.4), written in one place for /metrics:
// numbers, HELP and TYPE lines, samples and label values.
namespace digitdesk::app::prometheus {

enum class Type
{
    Counter,
    Gauge,
    Histogram
};

enum class Notation
{
    Shortest, // the shortest text that reads back as the same double (1e+05, 0.25)
    // No exponent below 1e31: histogram bounds, so an `le` label reads the same in every scrape.
    Fixed,
};

// A sample value or a bound: "+Inf", "-Inf" and "NaN" for the values that are not finite.
std::string number(double value, Notation notation = Notation::Shortest);
std::string number(std::uint64_t value);

// A label value with the format's three escapes: backslash, double quote and line feed.
std::string escapeLabel(std::string_view value);
// `name="value"`, the value escaped.
std::string label(std::string_view name, std::string_view value);
// Labels joined with commas, each value escaped: labels({{"model", "digits"}, {"version", v}}).
std::string labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

// A family's `# HELP` and `# TYPE` lines, which come once, before its first sample. Backslashes
// and line feeds in the help text are escaped as the format wants.
void family(std::string &out, std::string_view name, Type type, std::string_view help);
// One sample line, `name{labels} value`; `labels` as label()/labels() write them (empty: none).
void sample(std::string &out, std::string_view name, std::string_view labels,
            std::string_view value);
void sample(std::string &out, std::string_view name, std::string_view labels, double value);

} // namespace digitdesk::app::prometheus
