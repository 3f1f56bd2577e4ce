#include "app/serve/inferenceinput.h"

#include "annotation/imageheader.h"
#include "annotation/imagenormalizer.h"
#include "app/serve/binarytensor.h"
#include "app/serve/tensorrequestparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace digitdesk::app {

namespace {

constexpr int Pixels = annotation::NormalizedImage::PixelCount;

InferenceInput refused(std::string reason)
{
    InferenceInput input;
    input.error = std::move(reason);
    return input;
}

bool parseJson(const std::string &body, QJsonDocument *document, std::string *error)
{
    QJsonParseError parseError{};
    *document = QJsonDocument::fromJson(
        QByteArray::fromRawData(body.data(), static_cast<qsizetype>(body.size())), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = "malformed JSON at byte " + std::to_string(parseError.offset) + ": " +
                 parseError.errorString().toStdString();
        return false;
    }
    if (!document->isObject()) {
        *error = "the JSON body must be an object";
        return false;
    }
    return true;
}

// The shape's image count, or 0 with the reason.
int imageCount(const std::vector<double> &shape, std::string *error)
{
    std::vector<qint64> dims;
    for (const double d : shape) {
        if (d != std::floor(d) || d < 0 || d > 1e9) {
            *error = "shape must be a list of non-negative integers";
            return 0;
        }
        dims.push_back(static_cast<qint64>(d));
    }
    const bool images = dims.size() == 4 && dims[1] == 1 && dims[2] == 28 && dims[3] == 28;
    const bool rows = dims.size() == 2 && dims[1] == Pixels;
    if (!images && !rows) {
        std::string given;
        for (qint64 d : dims) {
            if (!given.empty()) {
                given += ',';
            }
            given += std::to_string(d);
        }
        *error = "shape [" + given + "] is not [N,1,28,28] or [N,784]";
        return 0;
    }
    if (dims[0] < 1 || dims[0] > MaxImagesPerRequest) {
        *error = "shape asks for " + std::to_string(dims[0]) + " images; send 1 to " +
                 std::to_string(MaxImagesPerRequest);
        return 0;
    }
    return static_cast<int>(dims[0]);
}

// Inference-Header-Content-Length: 0 is a batch of one, all outputs answered as binary data.
InferenceInput rawBinaryRequest(std::string_view bytes)
{
    constexpr size_t ImageBytes = Pixels * sizeof(float);
    if (bytes.size() != ImageBytes) {
        return refused("a raw binary request (Inference-Header-Content-Length: 0) is one FP32 "
                       "image of " +
                       std::to_string(ImageBytes) + " bytes; this body holds " +
                       std::to_string(bytes.size()));
    }
    InferenceInput input;
    const std::string error =
        readBinaryPixels(ImageBytes, bytes, PixelType::Fp32, Pixels, &input.tensor);
    if (!error.empty()) {
        return refused(error);
    }
    input.count = 1;
    input.answer.binaryOutput = true;
    return input;
}

} // namespace

InferenceInput parseTensorRequest(const HttpRequest &request)
{
    const std::string &body = request.body;
    if (body.empty()) {
        return refused("the request body is empty: send {\"inputs\": [{\"name\": \"input\", "
                       "\"shape\": [N,784], \"datatype\": \"FP32\", \"data\": [...]}]}");
    }
    BinaryBody split;
    std::string error;
    if (!splitBinaryBody(request.inferenceHeaderLength, body, &split, &error)) {
        return refused(error);
    }
    if (split.raw) {
        return rawBinaryRequest(split.bytes);
    }
    TensorRequestFields fields;
    if (!TensorRequestParser::parse(split.json, static_cast<size_t>(MaxImagesPerRequest) * Pixels,
                                    &fields, &error)) {
        return refused(error);
    }
    InferenceInput input;
    input.answer.id = fields.id;
    input.answer.hasId = fields.hasId;
    input.answer.outputs = std::move(fields.outputs);
    input.answer.binaryOutput = fields.binaryDataOutput;
    error = checkRequestedOutputs(input.answer.outputs);
    if (!error.empty()) {
        return refused(error);
    }
    if (fields.inputCount != 1) {
        return refused("inputs must be a list of exactly one tensor");
    }
    if (fields.inputName != InputName) {
        return refused((fields.hasInputName
                            ? "the model 'digits' has no input '" + fields.inputName + "'"
                            : std::string("the input has no name")) +
                       "; its input is '" + InputName + "'");
    }
    const bool bytes = fields.datatype == "UINT8";
    if (fields.datatype != "FP32" && !bytes) {
        return refused("datatype '" + fields.datatype +
                       "' is not supported: send FP32 (0..1) or UINT8 (0..255)");
    }
    if (!fields.hasShape) {
        return refused("the input has no shape: give [N,1,28,28] or [N,784]");
    }
    input.count = imageCount(fields.shape, &error);
    if (input.count == 0) {
        return refused(error);
    }
    const size_t expected = static_cast<size_t>(input.count) * Pixels;
    if (fields.binaryData) {
        if (fields.hasData) {
            return refused("the input has both data and parameters.binary_data_size; send one");
        }
        if (request.inferenceHeaderLength.empty()) {
            return refused("the input's parameters.binary_data_size needs the "
                           "Inference-Header-Content-Length header (the JSON header's length)");
        }
        error =
            readBinaryPixels(fields.binaryDataSize, split.bytes,
                             bytes ? PixelType::Uint8 : PixelType::Fp32, expected, &input.tensor);
        return error.empty() ? input : refused(error);
    }
    if (!split.bytes.empty()) {
        return refused(std::to_string(split.bytes.size()) +
                       " bytes follow the JSON header, but no input has "
                       "parameters.binary_data_size");
    }
    if (!fields.hasData) {
        return refused("the input has no data list");
    }
    if (fields.data.size() != expected) {
        return refused("data holds " + std::to_string(fields.data.size()) +
                       " values; the shape needs " + std::to_string(expected));
    }
    input.tensor.resize(expected);
    for (size_t i = 0; i < expected; ++i) {
        const double v = fields.data[i];
        if (bytes) {
            if (!(v >= 0 && v <= 255) || v != std::floor(v)) {
                return refused("data[" + std::to_string(i) + "] is not a UINT8 (0..255)");
            }
            input.tensor[i] = static_cast<float>(v / 255.0);
        } else {
            if (!(v >= 0 && v <= 1)) {
                return refused("data[" + std::to_string(i) +
                               "] is outside 0..1 (FP32 pixels are scaled to 0..1)");
            }
            input.tensor[i] = static_cast<float>(v);
        }
    }
    return input;
}

InferenceInput readImageRequest(const std::string &contentType, const std::string &body,
                                qint64 maxDecodedPixels)
{
    if (body.empty()) {
        return refused("the request body is empty: send a PNG or JPEG image, or JSON "
                       "{\"images\": [base64, ...]}");
    }
    InferenceInput input;
    input.imageList = contentType.rfind("application/json", 0) == 0;
    if (!input.imageList) {
        input.originals.emplace_back(body.data(), static_cast<qsizetype>(body.size()));
    } else {
        QJsonDocument document;
        std::string error;
        if (!parseJson(body, &document, &error)) {
            return refused(error);
        }
        const QJsonValue images = document.object().value(QStringLiteral("images"));
        if (!images.isArray() || images.toArray().isEmpty()) {
            return refused("images must be a non-empty list of base64-encoded PNG or JPEG files");
        }
        const QJsonArray list = images.toArray();
        if (list.size() > MaxImagesPerRequest) {
            return refused("a request holds at most " + std::to_string(MaxImagesPerRequest) +
                           " images");
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            const auto decoded = QByteArray::fromBase64Encoding(
                list.at(i).toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!list.at(i).isString() || !decoded || decoded.decoded.isEmpty()) {
                return refused("images[" + std::to_string(i) + "] is not base64 text");
            }
            input.originals.push_back(decoded.decoded);
        }
    }
    for (size_t i = 0; i < input.originals.size(); ++i) {
        const std::string which =
            input.imageList ? "images[" + std::to_string(i) + "]" : std::string("the body");
        const annotation::ImageHeader header = annotation::readImageHeader(input.originals[i]);
        const bool png = header.format == QStringLiteral("png");
        if (!png && header.format != QStringLiteral("jpeg")) {
            return refused(which +
                           (input.imageList ? " is not a PNG or JPEG image: "
                                            : " is not a usable PNG or JPEG image: ") +
                           (header.format.isEmpty()
                                ? std::string("its first bytes are no image signature")
                                : "it is a " + header.format.toUpper().toStdString() + " file"));
        }
        if (!header.ok() || header.width <= 0 || header.height <= 0) {
            return refused(which + ": " +
                           (header.ok() ? "corrupt " + header.format.toUpper().toStdString() +
                                              ": its header says " + std::to_string(header.width) +
                                              " x " + std::to_string(header.height) + " pixels"
                                        : header.error.toStdString()));
        }
        const qint64 pixels = header.width * header.height;
        if (pixels > MaxPixelsPerImage) {
            return refused(which + ": too large: " + std::to_string(header.width) + " x " +
                           std::to_string(header.height) + " pixels is over the limit of " +
                           std::to_string(MaxPixelsPerImage) + " pixels per image");
        }
        input.decodedPixels += pixels;
        if (input.decodedPixels > maxDecodedPixels) {
            InferenceInput over =
                refused((input.imageList ? "images[0] to images[" + std::to_string(i) + "] come"
                                         : std::string("the body comes")) +
                        " to " + std::to_string(input.decodedPixels) +
                        " pixels once decoded, over the endpoint's limit of " +
                        std::to_string(maxDecodedPixels) +
                        " per request: send smaller images or fewer at a time");
            over.refusal = 413;
            return over;
        }
    }
    input.count = static_cast<int>(input.originals.size());
    return input;
}

void decodeImages(InferenceInput &input)
{
    input.tensor.resize(static_cast<size_t>(input.count) * Pixels);
    for (size_t i = 0; i < input.originals.size(); ++i) {
        const annotation::NormalizedImage image =
            annotation::ImageNormalizer::fromEncoded(input.originals[i], MaxPixelsPerImage);
        if (!image.ok()) {
            input.error =
                input.imageList
                    ? "images[" + std::to_string(i) + "]: " + image.error.toStdString()
                    : "the body is not a usable PNG or JPEG image: " + image.error.toStdString();
            input.tensor.clear();
            return;
        }
        const auto *pixels = reinterpret_cast<const unsigned char *>(image.pixels.constData());
        float *out = input.tensor.data() + i * Pixels;
        for (int p = 0; p < Pixels; ++p) {
            out[p] = static_cast<float>(pixels[p]) / 255.0F;
        }
    }
}

InferenceInput parseImageRequest(const std::string &contentType, const std::string &body,
                                 qint64 maxDecodedPixels)
{
    InferenceInput input = readImageRequest(contentType, body, maxDecodedPixels);
    if (input.ok()) {
        decodeImages(input);
    }
    return input;
}

} // namespace digitdesk::app
