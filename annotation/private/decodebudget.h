#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::annotation {

// What decoding a scan costs, read from its header before any decoder runs: the pixels times
// the channels and sample size OpenCV decodes them to (IMREAD_UNCHANGED | IMREAD_ANYDEPTH), the
// most it may make of them where the header does not say. A 7000 x 7000 PNG is 49 megapixels,
// under the pixel limit, but as 16-bit RGBA it decodes to 392 MB before any conversion.
struct DecodeCost
{
    qint64 width = 0;
    qint64 height = 0;
    int channels = 0;
    int bitsPerSample = 0;
    qint64 bytes = 0; // 0 when the header cannot be read: the normaliser says why
};
DecodeCost decodeCostOf(const QByteArray &encoded);

// Why the scan may not be decoded within Importer::MaxDecodedBytes; empty when it may, or when
// it has more pixels than ImageNormalizer::MaxPixels, which the normaliser refuses unread.
QString decodeRefusal(const DecodeCost &cost);

} // namespace digitdesk::annotation
