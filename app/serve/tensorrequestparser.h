#pragma once

#include "app/serve/tensoranswer.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace digitdesk::app {

// The fields of a KServe v2 inference request that the endpoint uses, read straight from the
// JSON text: a general JSON tree of 784,000 numbers (a 1,000-image request) costs more than
// the model does. Everything else in the body is checked for JSON syntax and skipped.
struct TensorRequestFields
{
    std::string id;
    bool hasId = false;
    int inputCount = 0;
    std::string inputName;
    bool hasInputName = false;
    std::string datatype;
    std::vector<double> shape;
    bool hasShape = false;
    std::vector<double> data; // flattened, in order
    bool hasData = false;
    // The input's parameters.binary_data_size (Triton's binary tensor data extension): its
    // bytes follow the JSON header.
    double binaryDataSize = 0;
    bool binaryData = false;
    std::vector<RequestedOutput> outputs;
    bool binaryDataOutput = false; // the request's parameters.binary_data_output
};

class TensorRequestParser final
{
public:
    // Returns false with `error` set (what is wrong, and at which byte) for malformed JSON,
    // a body that is not an object, or fields of the wrong kind. `maxValues` bounds `data`.
    static bool parse(std::string_view text, std::size_t maxValues, TensorRequestFields *fields,
                      std::string *error);
};

} // namespace digitdesk::app
