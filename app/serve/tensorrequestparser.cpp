#include "app/serve/tensorrequestparser.h"

#include <charconv>
#include <cstdint>

namespace digitdesk::app {

namespace {

constexpr int MaxDepth = 64;

class Reader
{
public:
    Reader(std::string_view text, std::size_t maxValues, TensorRequestFields *fields)
        : m_text(text), m_maxValues(maxValues), m_fields(fields)
    {}

    bool parseRoot()
    {
        skipSpace();
        if (peek() != '{') {
            return fail("the JSON body must be an object");
        }
        if (!object(0,
                    [this](const std::string &key, int depth) { return rootMember(key, depth); })) {
            return false;
        }
        skipSpace();
        return m_at == m_text.size() || fail("malformed JSON: text after the object");
    }

    std::string error;

private:
    template <typename Member> bool object(int depth, Member member)
    {
        if (depth > MaxDepth) {
            return fail("malformed JSON: nested deeper than 64 levels");
        }
        ++m_at; // '{'
        skipSpace();
        if (peek() == '}') {
            ++m_at;
            return true;
        }
        for (;;) {
            skipSpace();
            if (m_at >= m_text.size()) {
                return fail("malformed JSON: the text ends inside an object");
            }
            std::string key;
            if (peek() != '"' || !string(&key)) {
                return error.empty() ? fail("malformed JSON: expected a member name") : false;
            }
            skipSpace();
            if (peek() != ':') {
                return fail("malformed JSON: expected ':'");
            }
            ++m_at;
            skipSpace();
            if (!member(key, depth + 1)) {
                return false;
            }
            skipSpace();
            if (peek() == ',') {
                ++m_at;
                continue;
            }
            if (peek() == '}') {
                ++m_at;
                return true;
            }
            return fail("malformed JSON: expected ',' or '}'");
        }
    }

    template <typename Element> bool array(int depth, Element element)
    {
        if (depth > MaxDepth) {
            return fail("malformed JSON: nested deeper than 64 levels");
        }
        ++m_at; // '['
        skipSpace();
        if (peek() == ']') {
            ++m_at;
            return true;
        }
        for (;;) {
            skipSpace();
            if (m_at >= m_text.size()) {
                return fail("malformed JSON: the text ends inside a list");
            }
            if (!element(depth + 1)) {
                return false;
            }
            skipSpace();
            if (peek() == ',') {
                ++m_at;
                continue;
            }
            if (peek() == ']') {
                ++m_at;
                return true;
            }
            return fail("malformed JSON: expected ',' or ']'");
        }
    }

    bool rootMember(const std::string &key, int depth)
    {
        if (key == "id") {
            if (peek() != '"') {
                return fail("id must be a string");
            }
            m_fields->hasId = true;
            return string(&m_fields->id);
        }
        if (key == "inputs") {
            if (peek() != '[') {
                return fail("inputs must be a list of exactly one tensor");
            }
            return array(depth, [this](int d) {
                ++m_fields->inputCount;
                if (peek() != '{') {
                    return fail("each input must be an object");
                }
                if (m_fields->inputCount > 1) {
                    return skipValue(d);
                }
                return object(d,
                              [this](const std::string &k, int dd) { return inputMember(k, dd); });
            });
        }
        return skipValue(depth);
    }

    bool inputMember(const std::string &key, int depth)
    {
        if (key == "datatype") {
            if (peek() != '"') {
                return fail("datatype must be a string");
            }
            return string(&m_fields->datatype);
        }
        if (key == "shape") {
            if (peek() != '[') {
                return fail("shape must be a list of non-negative integers");
            }
            m_fields->hasShape = true;
            return array(depth, [this](int) {
                double value = 0;
                if (!number(&value)) {
                    return error.empty() ? fail("shape must be a list of non-negative integers")
                                         : false;
                }
                if (m_fields->shape.size() >= 8) {
                    return fail("shape has too many dimensions");
                }
                m_fields->shape.push_back(value);
                return true;
            });
        }
        if (key == "data") {
            if (peek() != '[') {
                return fail("the input's data must be a list");
            }
            m_fields->hasData = true;
            return data(depth);
        }
        if (key == "parameters" && peek() == '{') {
            return object(depth, [this](const std::string &k, int d) {
                if (k == "binary_data_size") {
                    m_fields->binaryData = true;
                }
                return skipValue(d);
            });
        }
        return skipValue(depth);
    }

    bool data(int depth)
    {
        return array(depth, [this](int d) {
            if (peek() == '[') {
                return data(d);
            }
            double value = 0;
            if (!number(&value)) {
                return error.empty() ? fail("data[" + std::to_string(m_fields->data.size()) +
                                            "] is not a number")
                                     : false;
            }
            if (m_fields->data.size() == m_maxValues) {
                return fail("data holds more values than the shape says (" +
                            std::to_string(m_maxValues) + ")");
            }
            m_fields->data.push_back(value);
            return true;
        });
    }

    bool skipValue(int depth)
    {
        switch (peek()) {
        case '{':
            return object(depth, [this](const std::string &, int d) { return skipValue(d); });
        case '[':
            return array(depth, [this](int d) { return skipValue(d); });
        case '"': {
            std::string ignored;
            return string(&ignored);
        }
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default: {
            double ignored = 0;
            return number(&ignored) ||
                   (error.empty() && fail("malformed JSON: unexpected character"));
        }
        }
    }

    bool literal(std::string_view word)
    {
        if (m_text.substr(m_at, word.size()) != word) {
            return fail("malformed JSON: unexpected character");
        }
        m_at += word.size();
        return true;
    }

    // A JSON number (the grammar checked, then converted); false without an error message when
    // the text here is not a number at all, so the caller can say what it expected.
    bool number(double *value)
    {
        const std::size_t start = m_at;
        std::size_t at = m_at;
        const auto digit = [&](std::size_t i) {
            return i < m_text.size() && m_text[i] >= '0' && m_text[i] <= '9';
        };
        if (at < m_text.size() && m_text[at] == '-') {
            ++at;
        }
        if (!digit(at)) {
            return false;
        }
        if (m_text[at] == '0') {
            ++at;
        } else {
            while (digit(at)) {
                ++at;
            }
        }
        if (at < m_text.size() && m_text[at] == '.') {
            ++at;
            if (!digit(at)) {
                return fail("malformed JSON: a number ends after its '.'");
            }
            while (digit(at)) {
                ++at;
            }
        }
        if (at < m_text.size() && (m_text[at] == 'e' || m_text[at] == 'E')) {
            ++at;
            if (at < m_text.size() && (m_text[at] == '+' || m_text[at] == '-')) {
                ++at;
            }
            if (!digit(at)) {
                return fail("malformed JSON: a number's exponent has no digits");
            }
            while (digit(at)) {
                ++at;
            }
        }
        const auto result = std::from_chars(m_text.data() + start, m_text.data() + at, *value);
        if (result.ec != std::errc()) {
            return fail("malformed JSON: a number out of range");
        }
        m_at = at;
        return true;
    }

    bool string(std::string *out)
    {
        ++m_at; // '"'
        for (;;) {
            if (m_at >= m_text.size()) {
                return fail("malformed JSON: unterminated string");
            }
            const char c = m_text[m_at++];
            if (c == '"') {
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                return fail("malformed JSON: a control character in a string");
            }
            if (c != '\\') {
                out->push_back(c);
                continue;
            }
            if (m_at >= m_text.size()) {
                return fail("malformed JSON: unterminated string");
            }
            const char escaped = m_text[m_at++];
            switch (escaped) {
            case '"':
            case '\\':
            case '/':
                out->push_back(escaped);
                break;
            case 'b':
                out->push_back('\b');
                break;
            case 'f':
                out->push_back('\f');
                break;
            case 'n':
                out->push_back('\n');
                break;
            case 'r':
                out->push_back('\r');
                break;
            case 't':
                out->push_back('\t');
                break;
            case 'u':
                if (!unicodeEscape(out)) {
                    return false;
                }
                break;
            default:
                return fail("malformed JSON: an unknown escape in a string");
            }
        }
    }

    bool hex4(std::uint32_t *code)
    {
        if (m_at + 4 > m_text.size()) {
            return fail("malformed JSON: a short \\u escape");
        }
        *code = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = m_text[m_at++];
            *code <<= 4;
            if (h >= '0' && h <= '9') {
                *code |= static_cast<std::uint32_t>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
                *code |= static_cast<std::uint32_t>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
                *code |= static_cast<std::uint32_t>(h - 'A' + 10);
            } else {
                return fail("malformed JSON: a bad \\u escape");
            }
        }
        return true;
    }

    bool unicodeEscape(std::string *out)
    {
        std::uint32_t code = 0;
        if (!hex4(&code)) {
            return false;
        }
        if (code >= 0xD800 && code <= 0xDBFF) {
            std::uint32_t low = 0;
            if (m_text.substr(m_at, 2) != "\\u" || (m_at += 2, !hex4(&low)) || low < 0xDC00 ||
                low > 0xDFFF) {
                return error.empty() ? fail("malformed JSON: a lone surrogate in a string") : false;
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return fail("malformed JSON: a lone surrogate in a string");
        }
        if (code < 0x80) {
            out->push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (code >> 6)));
            out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out->push_back(static_cast<char>(0xE0 | (code >> 12)));
            out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            out->push_back(static_cast<char>(0xF0 | (code >> 18)));
            out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
        return true;
    }

    void skipSpace()
    {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t' ||
                                        m_text[m_at] == '\n' || m_text[m_at] == '\r')) {
            ++m_at;
        }
    }

    char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }

    bool fail(const std::string &message)
    {
        if (error.empty()) {
            error = message + " (at byte " + std::to_string(m_at) + ")";
        }
        return false;
    }

    std::string_view m_text;
    std::size_t m_maxValues;
    TensorRequestFields *m_fields;
    std::size_t m_at = 0;
};

} // namespace

bool TensorRequestParser::parse(std::string_view text, std::size_t maxValues,
                                TensorRequestFields *fields, std::string *error)
{
    Reader reader(text, maxValues, fields);
    if (!reader.parseRoot()) {
        *error = reader.error;
        return false;
    }
    return true;
}

} // namespace digitdesk::app
