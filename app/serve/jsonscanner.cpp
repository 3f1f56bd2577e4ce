#include "app/serve/jsonscanner.h"

#include <charconv>
#include <cstdint>

namespace digitdesk::app {

bool JsonScanner::skipValue(int depth)
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
        return number(&ignored) || (error.empty() && fail("malformed JSON: unexpected character"));
    }
    }
}

bool JsonScanner::literal(std::string_view word)
{
    if (m_text.substr(m_at, word.size()) != word) {
        return fail("malformed JSON: unexpected character");
    }
    m_at += word.size();
    return true;
}

bool JsonScanner::number(double *value)
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

bool JsonScanner::string(std::string *out)
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

bool JsonScanner::hex4(std::uint32_t *code)
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

bool JsonScanner::unicodeEscape(std::string *out)
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

void JsonScanner::skipSpace()
{
    while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t' ||
                                    m_text[m_at] == '\n' || m_text[m_at] == '\r')) {
        ++m_at;
    }
}

bool JsonScanner::fail(const std::string &message)
{
    if (error.empty()) {
        error = message + " (at byte " + std::to_string(m_at) + ")";
    }
    return false;
}

bool JsonScanner::boolean(bool *value, const std::string &what)
{
    if (peek() == 't') {
        *value = true;
        return literal("true");
    }
    if (peek() == 'f') {
        *value = false;
        return literal("false");
    }
    return fail(what + " must be true or false");
}

} // namespace digitdesk::app
