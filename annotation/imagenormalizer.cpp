#include "annotation/imagenormalizer.h"

#include "annotation/imageheader.h"
#include "annotation/private/imagingbackend.h"

#include <algorithm>

namespace digitdesk::annotation {
namespace {

NormalizedImage failure(const QString &reason)
{
    NormalizedImage result;
    result.error = reason;
    return result;
}

bool hasJpegEnd(const QByteArray &bytes)
{
    const qsizetype tail = std::min<qsizetype>(bytes.size(), 4096);
    return bytes.right(tail).contains("\xFF\xD9");
}

} // namespace

NormalizedImage ImageNormalizer::fromEncoded(const QByteArray &bytes)
{
    return fromEncoded(bytes, MaxPixels);
}

NormalizedImage ImageNormalizer::fromEncoded(const QByteArray &bytes, qint64 maxPixels)
{
    const ImageHeader header = readImageHeader(bytes);
    if (!header.ok()) {
        return failure(header.error);
    }
    if (header.width <= 0 || header.height <= 0) {
        return failure(QStringLiteral("corrupt %1: the header says %2 x %3 pixels")
                           .arg(header.format.toUpper())
                           .arg(header.width)
                           .arg(header.height));
    }
    if (header.width * header.height > std::min(maxPixels, MaxPixels)) {
        return failure(QStringLiteral("too large: %1 x %2 pixels is over the %3-megapixel limit")
                           .arg(header.width)
                           .arg(header.height)
                           .arg(static_cast<double>(std::min(maxPixels, MaxPixels)) / 1e6));
    }
    if (header.format == QStringLiteral("jpeg") && !hasJpegEnd(bytes)) {
        return failure(QStringLiteral("truncated JPEG: no end-of-image marker"));
    }
    return detail::imaging().normalizeEncoded(bytes, header.format);
}

NormalizedImage ImageNormalizer::fromGray(const unsigned char *data, int width, int height,
                                          int stride)
{
    if (width <= 0 || height <= 0 || static_cast<qint64>(width) * height > MaxPixels) {
        return failure(QStringLiteral("invalid size %1 x %2").arg(width).arg(height));
    }
    return detail::imaging().normalizeGray(data, width, height, stride);
}

} // namespace digitdesk::annotation
