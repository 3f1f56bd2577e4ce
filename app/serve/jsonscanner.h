#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace digitdesk::app {

// The JSON grammar, read in place for parsers that pick a few members out of a large body
// without building a tree: each reader derives, walks the members it wants and skips the rest.
// Every failure keeps the first message, with the byte where it happened.
class JsonScanner
{
public:
    std::string error;

protected:
    explicit JsonScanner(std::string_view text) : m_text(text) {}

    static constexpr int MaxDepth = 64;

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

    bool skipValue(int depth);
    bool literal(std::string_view word);
    // A JSON number (the grammar checked, then converted); false without an error message when
    // the text here is not a number at all, so the caller can say what it expected.
    bool number(double *value);
    bool string(std::string *out);
    // `what` names the member in the error when the value is not a JSON boolean.
    bool boolean(bool *value, const std::string &what);
    void skipSpace();
    char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }
    bool fail(const std::string &message);

    std::string_view m_text;
    std::size_t m_at = 0;

private:
    bool hex4(std::uint32_t *code);
    bool unicodeEscape(std::string *out);
};

} // namespace digitdesk::app
