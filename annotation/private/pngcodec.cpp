#include "annotation/private/pngcodec.h"

#include "annotation/imageheader.h"
#include "annotation/imagenormalizer.h"
#include "annotation/private/imagingbackend.h"

#include <stdexcept>

namespace digitdesk::annotation {

QByteArray encodeDatasetPng(const QByteArray &pixels)
{
    if (pixels.size() != NormalizedImage::PixelCount) {
        throw std::invalid_argument("a dataset image has 784 pixels");
    }
    return detail::imaging().encodeDatasetPng(pixels);
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
    return detail::imaging().decodeDatasetPng(png, error);
}

} // namespace digitdesk::annotation
