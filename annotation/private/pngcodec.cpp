#include "annotation/private/pngcodec.h"

#include "annotation/imageheader.h"
#include "annotation/imagenormalizer.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <stdexcept>
#include <vector>

namespace digitdesk::annotation {

QByteArray encodeDatasetPng(const QByteArray &pixels)
{
    constexpr int Side = NormalizedImage::Side;
    if (pixels.size() != NormalizedImage::PixelCount) {
        throw std::invalid_argument("a dataset image has 784 pixels");
    }
    const cv::Mat image(Side, Side, CV_8U, const_cast<char *>(pixels.constData()));
    // Every parameter pinned: the bytes must not depend on OpenCV's defaults of the day.
    const std::vector<int> parameters = {cv::IMWRITE_PNG_COMPRESSION, 9, cv::IMWRITE_PNG_STRATEGY,
                                         cv::IMWRITE_PNG_STRATEGY_DEFAULT};
    std::vector<uchar> bytes;
    if (!cv::imencode(".png", image, bytes, parameters)) {
        throw std::runtime_error("OpenCV could not encode a 28x28 PNG");
    }
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

QByteArray decodeDatasetPng(const QByteArray &png, QString *error)
{
    const ImageHeader header = readImageHeader(png);
    if (!header.ok() || header.format != QStringLiteral("png")) {
        *error = header.ok() ? QStringLiteral("not a PNG") : header.error;
        return {};
    }
    if (header.width != NormalizedImage::Side || header.height != NormalizedImage::Side) {
        *error = QStringLiteral("%1 x %2 pixels, not 28 x 28").arg(header.width).arg(header.height);
        return {};
    }
    const cv::Mat buffer(1, static_cast<int>(png.size()), CV_8U,
                         const_cast<char *>(png.constData()));
    cv::Mat decoded;
    try {
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &exception) {
        *error = QStringLiteral("cannot decode: %1").arg(QString::fromStdString(exception.msg));
        return {};
    }
    if (decoded.empty()) {
        *error = QStringLiteral("cannot decode: corrupt or truncated PNG");
        return {};
    }
    if (decoded.type() != CV_8UC1 || decoded.rows != NormalizedImage::Side ||
        decoded.cols != NormalizedImage::Side) {
        *error = QStringLiteral("not an 8-bit grayscale 28 x 28 image");
        return {};
    }
    const cv::Mat continuous = decoded.isContinuous() ? decoded : decoded.clone();
    return QByteArray(reinterpret_cast<const char *>(continuous.data), NormalizedImage::PixelCount);
}

} // namespace digitdesk::annotation
