#include "annotation/private/decodebudget.h"

#include "annotation/imageheader.h"
#include "annotation/imagenormalizer.h"
#include "annotation/importer.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace digitdesk::annotation {
namespace {

uint32_t u8(const QByteArray &b, qint64 i)
{
    return static_cast<uint8_t>(b[i]);
}

bool has(const QByteArray &b, qint64 offset, qint64 count)
{
    return offset >= 0 && offset + count <= b.size();
}

struct Samples
{
    int channels;
    int bits;
};

// IHDR's bit depth and colour type. OpenCV makes gray with alpha and a palette with
// transparency into BGRA, and 16-bit samples stay 16-bit.
Samples pngSamples(const QByteArray &b)
{
    if (!has(b, 24, 2)) {
        return {4, 16};
    }
    const int bits = u8(b, 24) == 16 ? 16 : 8;
    switch (u8(b, 25)) {
    case 0:
        return {1, bits};
    case 2:
        return {3, bits};
    default: // 3 (palette), 4 (gray and alpha), 6 (RGBA)
        return {4, bits};
    }
}

// BitsPerSample (tag 258) from the first IFD; OpenCV may read any TIFF through its RGBA path,
// so four channels.
Samples tiffSamples(const QByteArray &b, bool littleEndian)
{
    const auto r16 = [&](qint64 i) {
        return littleEndian ? u8(b, i) | u8(b, i + 1) << 8 : u8(b, i) << 8 | u8(b, i + 1);
    };
    const auto r32 = [&](qint64 i) {
        return littleEndian ? r16(i) | r16(i + 2) << 16 : r16(i) << 16 | r16(i + 2);
    };
    constexpr Samples unknown{4, 16};
    const qint64 ifd = r32(4);
    if (!has(b, ifd, 2)) {
        return unknown;
    }
    const uint32_t entries = r16(ifd);
    for (uint32_t e = 0; e < entries; ++e) {
        const qint64 at = ifd + 2 + 12 * static_cast<qint64>(e);
        if (!has(b, at, 12)) {
            return unknown;
        }
        if (r16(at) != 258) {
            continue;
        }
        // Two 16-bit values fit in the entry; more are stored at the offset it holds.
        const qint64 valueAt = r32(at + 4) <= 2 ? at + 8 : r32(at + 8);
        if (!has(b, valueAt, 2)) {
            return unknown;
        }
        return {4, std::clamp(static_cast<int>(r16(valueAt)), 1, 64)};
    }
    return {4, 8}; // BitsPerSample defaults to 1; OpenCV reads such images as 8-bit
}

Samples samplesOf(const QByteArray &encoded, const QString &format)
{
    if (format == QStringLiteral("png")) {
        return pngSamples(encoded);
    }
    if (format == QStringLiteral("tiff")) {
        return tiffSamples(encoded, encoded.startsWith("II"));
    }
    if (format == QStringLiteral("bmp")) {
        return {4, 8}; // 32-bit BMPs keep their alpha channel
    }
    return {3, 8}; // JPEG: gray or BGR, 8-bit
}

} // namespace

DecodeCost decodeCostOf(const QByteArray &encoded)
{
    const ImageHeader header = readImageHeader(encoded);
    DecodeCost cost;
    if (!header.ok() || header.width <= 0 || header.height <= 0) {
        return cost;
    }
    const Samples samples = samplesOf(encoded, header.format);
    cost.width = header.width;
    cost.height = header.height;
    cost.channels = samples.channels;
    cost.bitsPerSample = samples.bits;
    // A header may say anything: sides of four billion pixels overflow 64 bits.
    qint64 pixels = 0;
    if (__builtin_mul_overflow(header.width, header.height, &pixels) ||
        __builtin_mul_overflow(pixels, samples.channels * ((samples.bits + 7) / 8), &cost.bytes)) {
        cost.bytes = std::numeric_limits<qint64>::max();
    }
    return cost;
}

QString decodeRefusal(const DecodeCost &cost)
{
    // Too many pixels is the normaliser's refusal, in the words it always used.
    const bool overPixelLimit =
        cost.height > 0 && cost.width > ImageNormalizer::MaxPixels / cost.height;
    if (cost.bytes <= Importer::MaxDecodedBytes || overPixelLimit) {
        return {};
    }
    constexpr qint64 MB = 1024 * 1024;
    return QStringLiteral("too large to decode: %1 x %2 pixels of %3 channel(s) at %4 bits would "
                          "take %5 MB, over the %6 MB limit")
        .arg(cost.width)
        .arg(cost.height)
        .arg(cost.channels)
        .arg(cost.bitsPerSample)
        .arg(cost.bytes / MB)
        .arg(Importer::MaxDecodedBytes / MB);
}

} // namespace digitdesk::annotation
