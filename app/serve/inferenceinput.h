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
    qint64 decodedPixels = 0;          // /v1/predict: what its images hold, by their headers
    bool imageList = false;            // /v1/predict's JSON list: errors name images[i]
    std::string error;                 // why the request is refused; empty when it is not
    int refusal = 400;                 // the status that refuses it: 400, or 413 over the budget
    bool ok() const { return error.empty(); }
};

inline constexpr int MaxImagesPerRequest = 10000;
// The model's one input tensor, as /v2/models/digits names it.
inline constexpr const char *InputName = "input";
// A scan of a post code needs no more; a client cannot make the endpoint decode a poster.
inline constexpr qint64 MaxPixelsPerImage = 4'000'000;
// What one /v1/predict request may make the endpoint decode, all its images together
// (`digitdesk serve --max-decoded-mpx`): a thousand 400 x 300 scans, or 32 of the largest.
inline constexpr qint64 DefaultMaxDecodedPixels = 128'000'000;

// POST /v2/models/digits/infer: one input, FP32 (0..1) or UINT8 (0..255), shape [N,1,28,28]
// or [N,784], data flat or nested in JSON, or raw bytes after the JSON header (Triton's
// binary tensor data extension).
InferenceInput parseTensorRequest(const HttpRequest &request);

// POST /v1/predict, before anything is decoded: a PNG or JPEG body, or JSON {"images":
// [base64, ...]}. Each image's signature and declared size are read from its header; the first
// that is not a PNG or JPEG, or is too large, refuses the request (400), as does a total over
// `maxDecodedPixels` (413). The encoded images are kept in `originals`.
InferenceInput readImageRequest(const std::string &contentType, const std::string &body,
                                qint64 maxDecodedPixels);
// Decodes what readImageRequest() let through, one image after another on the calling thread,
// normalising each as an import does; the first that fails refuses the request.
void decodeImages(InferenceInput &input);
// Both of the above.
InferenceInput parseImageRequest(const std::string &contentType, const std::string &body,
                                 qint64 maxDecodedPixels = DefaultMaxDecodedPixels);

} // namespace digitdesk::app
