#include "tests/support/pngbytes.h"

#include <zlib.h>

namespace digitdesk::testing {

QByteArray uniformPng(int width, int height, const QByteArray &kind, int rowBytes, char fill)
{
    const auto chunk = [](const QByteArray &type, const QByteArray &data) {
        QByteArray out;
        const auto be32 = [&out](quint32 v) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out += char(v >> shift);
            }
        };
        be32(static_cast<quint32>(data.size()));
        const QByteArray typed = type + data;
        out += typed;
        be32(static_cast<quint32>(
            crc32(0, reinterpret_cast<const Bytef *>(typed.constData()), typed.size())));
        return out;
    };
    QByteArray header;
    for (int v : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            header += char(v >> shift);
        }
    }
    header += kind + QByteArray(3, '\0');
    z_stream stream{};
    deflateInit(&stream, 9);
    QByteArray compressed;
    QByteArray row(1 + rowBytes, fill);
    row[0] = '\0'; // no filter
    QByteArray out(1 << 16, '\0');
    for (int y = 0; y < height; ++y) {
        stream.next_in = reinterpret_cast<Bytef *>(row.data());
        stream.avail_in = static_cast<uInt>(row.size());
        const int flush = y + 1 == height ? Z_FINISH : Z_NO_FLUSH;
        do {
            stream.next_out = reinterpret_cast<Bytef *>(out.data());
            stream.avail_out = static_cast<uInt>(out.size());
            deflate(&stream, flush);
            compressed.append(out.constData(), out.size() - static_cast<int>(stream.avail_out));
        } while (stream.avail_out == 0);
    }
    deflateEnd(&stream);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + chunk("IDAT", compressed) +
           chunk("IEND", {});
}

} // namespace digitdesk::testing
