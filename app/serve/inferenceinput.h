#pragma once

#include "app/serve/httpmessage.h"
#include "app/serve/tensoranswer.h"

#include <QByteArray>

#include <string>
#include <vector>

namespace digitdesk::app {

// The images of one inference request, as the model takes them.
struct InferenceInput
{
    std::vector<float> tensor; // count x 784 values in 0..1, white ink on black
    int count = 0;
    std::vector<QByteArray> originals; // the encoded images of a /v1/predict request
    TensorAnswerOptions answer;        // what a KServe v2 request asks of its answer
    std::string error;                 // why the request is refused (400); empty when it is not
    bool ok() const { return error.empty(); }
};

inline constexpr int MaxImagesPerRequest = 10000;
// The model's one input tensor, as /v2/models/digits names it.
inline constexpr const char *InputName = "input";
// A scan of a post code needs no more; a client cannot make the endpoint decode a poster.
inline constexpr qint64 MaxPixelsPerImage = 4'000'000;

// POST /v2/models/digits/infer: one input, FP32 (0..1) or UINT8 (0..255), shape [N,1,28,28]
// or [N,784], data flat or nested in JSON, or raw bytes after the JSON header (Triton's
// binary tensor data extension).
InferenceInput parseTensorRequest(const HttpRequest &request);

// POST /v1/predict: a PNG or JPEG body, or JSON {"images": [base64, ...]}; each image is
// normalised as an import normalises it.
InferenceInput parseImageRequest(const std::string &contentType, const std::string &body);

} // namespace digitdesk::app
