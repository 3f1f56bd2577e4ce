#include "app/serve/tensorrequestparser.h"

#include "app/serve/jsonscanner.h"

namespace digitdesk::app {

namespace {

// A request names a handful of outputs; more is a mistake or an attack on the answer's size.
constexpr std::size_t MaxOutputs = 16;

class Reader final : public JsonScanner
{
public:
    Reader(std::string_view text, std::size_t maxValues, TensorRequestFields *fields)
        : JsonScanner(text), m_maxValues(maxValues), m_fields(fields)
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

private:
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
        if (key == "outputs") {
            if (peek() != '[') {
                return fail("outputs must be a list of objects, each with a name");
            }
            return array(depth, [this](int d) {
                if (peek() != '{') {
                    return fail("each output must be an object with a name");
                }
                if (m_fields->outputs.size() == MaxOutputs) {
                    return fail("outputs names more than " + std::to_string(MaxOutputs) +
                                " tensors");
                }
                m_fields->outputs.emplace_back();
                return object(d,
                              [this](const std::string &k, int dd) { return outputMember(k, dd); });
            });
        }
        if (key == "parameters") {
            return parameters(depth, "the request's", [this](const std::string &k, int d) {
                if (k == "binary_data_output") {
                    return boolean(&m_fields->binaryDataOutput, "parameters.binary_data_output");
                }
                return skipValue(d);
            });
        }
        return skipValue(depth);
    }

    bool inputMember(const std::string &key, int depth)
    {
        if (key == "name") {
            if (peek() != '"') {
                return fail("the input's name must be a string");
            }
            m_fields->hasInputName = true;
            return string(&m_fields->inputName);
        }
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
        if (key == "parameters") {
            return parameters(depth, "the input's", [this](const std::string &k, int d) {
                if (k != "binary_data_size") {
                    return skipValue(d);
                }
                m_fields->binaryData = true;
                return number(&m_fields->binaryDataSize) ||
                       (error.empty() &&
                        fail("the input's parameters.binary_data_size must be a number of bytes"));
            });
        }
        return skipValue(depth);
    }

    bool outputMember(const std::string &key, int depth)
    {
        RequestedOutput &output = m_fields->outputs.back();
        if (key == "name") {
            if (peek() != '"') {
                return fail("an output's name must be a string");
            }
            return string(&output.name);
        }
        if (key == "parameters") {
            return parameters(depth, "an output's", [this, &output](const std::string &k, int d) {
                if (k == "binary_data") {
                    output.hasBinary = true;
                    return boolean(&output.binary, "an output's parameters.binary_data");
                }
                if (k == "classification") {
                    return fail("the classification extension is not supported: ask for the "
                                "output 'probabilities' and take the top classes from it");
                }
                return skipValue(d);
            });
        }
        return skipValue(depth);
    }

    // $parameters: an object of name/value pairs; names this endpoint does not use are skipped.
    template <typename Member> bool parameters(int depth, const char *whose, Member member)
    {
        if (peek() != '{') {
            return fail(std::string(whose) + " parameters must be an object");
        }
        return object(depth, member);
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

    std::size_t m_maxValues;
    TensorRequestFields *m_fields;
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
