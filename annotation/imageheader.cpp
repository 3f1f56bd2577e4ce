#include "annotation/imageheader.h"

#include <cstdint>
#include <cstdlib>

namespace digitdesk::annotation {
namespace {

class Bytes
{
public:
    explicit Bytes(const QByteArray &data) : m_data(data) {}
    bool has(qint64 offset, qint64 count) const
    {
        return offset >= 0 && offset + count <= m_data.size();
    }
    uint32_t u8(qint64 i) const { return static_cast<uint8_t>(m_data[i]); }
    uint32_t be16(qint64 i) const { return u8(i) << 8 | u8(i + 1); }
    uint32_t be32(qint64 i) const { return be16(i) << 16 | be16(i + 2); }
    uint32_t le16(qint64 i) const { return u8(i) | u8(i + 1) << 8; }
    uint32_t le32(qint64 i) const { return le16(i) | le16(i + 2) << 16; }
    qint64 size() const { return m_data.size(); }

private:
    const QByteArray &m_data;
};

ImageHeader fail(const QString &format, const QString &reason)
{
    ImageHeader header;
    header.format = format;
    header.error = reason;
    return header;
}

ImageHeader truncated(const QString &format)
{
    return fail(format,
                QStringLiteral("truncated %1: the header is incomplete").arg(format.toUpper()));
}

ImageHeader readPng(const Bytes &b)
{
    if (!b.has(16, 8) || b.be32(12) != 0x49484452u) { // "IHDR"
        return truncated(QStringLiteral("png"));
    }
    return {QStringLiteral("png"), b.be32(16), b.be32(20), {}};
}

ImageHeader readJpeg(const Bytes &b)
{
    qint64 i = 2;
    while (b.has(i, 4)) {
        if (b.u8(i) != 0xFF) {
            return fail(QStringLiteral("jpeg"), QStringLiteral("corrupt JPEG: bad marker"));
        }
        const uint32_t marker = b.u8(i + 1);
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) {
            i += 2;
            continue;
        }
        const uint32_t length = b.be16(i + 2);
        const bool startOfFrame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame) {
            if (!b.has(i + 5, 4)) {
                break;
            }
            return {QStringLiteral("jpeg"), b.be16(i + 7), b.be16(i + 5), {}};
        }
        i += 2 + length;
    }
    return truncated(QStringLiteral("jpeg"));
}

ImageHeader readBmp(const Bytes &b)
{
    if (!b.has(14, 4)) {
        return truncated(QStringLiteral("bmp"));
    }
    const uint32_t dibSize = b.le32(14);
    if (dibSize == 12) {
        if (!b.has(18, 4)) {
            return truncated(QStringLiteral("bmp"));
        }
        return {QStringLiteral("bmp"), b.le16(18), b.le16(20), {}};
    }
    if (!b.has(18, 8)) {
        return truncated(QStringLiteral("bmp"));
    }
    const auto width = static_cast<int32_t>(b.le32(18));
    const auto height = static_cast<int32_t>(b.le32(22));
    return {QStringLiteral("bmp"), std::llabs(width), std::llabs(height), {}};
}

ImageHeader readTiff(const Bytes &b, bool littleEndian)
{
    auto r16 = [&](qint64 i) {
        return littleEndian ? b.le16(i) : b.be16(i);
    };
    auto r32 = [&](qint64 i) {
        return littleEndian ? b.le32(i) : b.be32(i);
    };
    const qint64 ifd = r32(4);
    if (!b.has(ifd, 2)) {
        return truncated(QStringLiteral("tiff"));
    }
    const uint32_t entries = r16(ifd);
    qint64 width = -1;
    qint64 height = -1;
    for (uint32_t e = 0; e < entries; ++e) {
        const qint64 at = ifd + 2 + 12 * static_cast<qint64>(e);
        if (!b.has(at, 12)) {
            return truncated(QStringLiteral("tiff"));
        }
        const uint32_t tag = r16(at);
        const uint32_t type = r16(at + 2);
        const qint64 value = type == 3 ? r16(at + 8) : r32(at + 8);
        if (tag == 256) {
            width = value;
        } else if (tag == 257) {
            height = value;
        }
    }
    if (width < 0 || height < 0) {
        return fail(QStringLiteral("tiff"),
                    QStringLiteral("corrupt TIFF: no image width or height"));
    }
    return {QStringLiteral("tiff"), width, height, {}};
}

} // namespace

ImageHeader readImageHeader(const QByteArray &bytes)
{
    const Bytes b(bytes);
    if (bytes.isEmpty()) {
        return fail({}, QStringLiteral("empty file"));
    }
    if (bytes.startsWith("\x89PNG\r\n\x1a\n")) {
        return readPng(b);
    }
    if (b.has(0, 3) && b.u8(0) == 0xFF && b.u8(1) == 0xD8 && b.u8(2) == 0xFF) {
        return readJpeg(b);
    }
    if (bytes.startsWith("BM")) {
        return readBmp(b);
    }
    if (bytes.startsWith(QByteArray("II*\0", 4)) && b.has(4, 4)) {
        return readTiff(b, true);
    }
    if (bytes.startsWith(QByteArray("MM\0*", 4)) && b.has(4, 4)) {
        return readTiff(b, false);
    }
    return fail({}, QStringLiteral("not a PNG, JPEG, BMP or TIFF image"));
}

} // namespace digitdesk::annotation
