#include "annotation/idxfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace digitdesk::annotation {
namespace {

constexpr unsigned char UnsignedByteType = 0x08;

bool isGzip(const QByteArray &bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

QByteArray gunzip(const QByteArray &compressed, const QString &path, qint64 limit)
{
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        throw ImportError(QStringLiteral("%1: cannot start gzip decompression").arg(path));
    }
    QByteArray out;
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.constData()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    char chunk[1 << 16];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef *>(chunk);
        stream.avail_out = sizeof(chunk);
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&stream);
            throw ImportError(
                QStringLiteral("%1: corrupt or truncated gzip data (%2)")
                    .arg(path, QString::fromLatin1(stream.msg ? stream.msg : "no more input")));
        }
        out.append(chunk, static_cast<qsizetype>(sizeof(chunk) - stream.avail_out));
        if (limit > 0 && out.size() >= limit) {
            break;
        }
    }
    inflateEnd(&stream);
    return out;
}

QByteArray readContent(const QString &path, qint64 headerOnlyLimit = 0)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw ImportError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    }
    QByteArray bytes = headerOnlyLimit > 0 ? file.read(1 << 16) : file.readAll();
    if (isGzip(bytes)) {
        if (headerOnlyLimit > 0) {
            file.seek(0);
            bytes = file.readAll();
        }
        return gunzip(bytes, path, headerOnlyLimit);
    }
    return bytes;
}

std::vector<int> parseHeader(const QByteArray &bytes, const QString &path, qint64 *headerSize)
{
    if (bytes.size() < 4) {
        throw ImportError(QStringLiteral("%1: not an IDX file: shorter than its 4-byte magic "
                                         "number")
                              .arg(path));
    }
    const auto byte = [&](qsizetype i) {
        return static_cast<unsigned char>(bytes[i]);
    };
    if (byte(0) != 0 || byte(1) != 0) {
        throw ImportError(QStringLiteral("%1: not an IDX file: wrong magic number 0x%2")
                              .arg(path, QString::fromLatin1(bytes.left(4).toHex())));
    }
    if (byte(2) != UnsignedByteType) {
        throw ImportError(QStringLiteral("%1: IDX data type 0x%2 is not supported; only unsigned "
                                         "bytes (0x08), as in MNIST")
                              .arg(path)
                              .arg(byte(2), 2, 16, QLatin1Char('0')));
    }
    const int rank = byte(3);
    if (rank < 1 || rank > 3) {
        throw ImportError(
            QStringLiteral("%1: IDX files of %2 dimensions are not supported").arg(path).arg(rank));
    }
    *headerSize = 4 + 4 * rank;
    if (bytes.size() < *headerSize) {
        throw ImportError(QStringLiteral("%1: truncated IDX header").arg(path));
    }
    std::vector<int> dimensions;
    for (int d = 0; d < rank; ++d) {
        const qsizetype at = 4 + 4 * d;
        const quint32 value =
            byte(at) << 24 | byte(at + 1) << 16 | byte(at + 2) << 8 | byte(at + 3);
        if (value > 100'000'000u) {
            throw ImportError(QStringLiteral("%1: IDX dimension %2 is implausibly large (%3)")
                                  .arg(path)
                                  .arg(d)
                                  .arg(value));
        }
        dimensions.push_back(static_cast<int>(value));
    }
    return dimensions;
}

} // namespace

qint64 IdxArray::itemSize() const
{
    qint64 size = 1;
    for (size_t d = 1; d < dimensions.size(); ++d) {
        size *= dimensions[d];
    }
    return size;
}

std::vector<int> readIdxDimensions(const QString &path)
{
    qint64 headerSize = 0;
    return parseHeader(readContent(path, 16), path, &headerSize);
}

IdxArray readIdxFile(const QString &path)
{
    const QByteArray bytes = readContent(path);
    qint64 headerSize = 0;
    IdxArray array;
    array.dimensions = parseHeader(bytes, path, &headerSize);
    qint64 expected = 1;
    for (int d : array.dimensions) {
        expected *= d;
    }
    const qint64 actual = bytes.size() - headerSize;
    if (actual != expected) {
        throw ImportError(QStringLiteral("%1: the header promises %2 bytes of data but the file "
                                         "holds %3 (%4)")
                              .arg(path)
                              .arg(expected)
                              .arg(actual)
                              .arg(actual < expected ? QStringLiteral("truncated")
                                                     : QStringLiteral("trailing bytes")));
    }
    array.data = bytes.mid(headerSize);
    return array;
}

void writeIdxFile(const QString &path, const std::vector<int> &dimensions, const QByteArray &data)
{
    QByteArray bytes;
    bytes.append('\0').append('\0').append(static_cast<char>(UnsignedByteType));
    bytes.append(static_cast<char>(dimensions.size()));
    for (int d : dimensions) {
        const auto value = static_cast<quint32>(d);
        bytes.append(static_cast<char>(value >> 24)).append(static_cast<char>(value >> 16));
        bytes.append(static_cast<char>(value >> 8)).append(static_cast<char>(value));
    }
    bytes.append(data);
    const QString temporary = path + QStringLiteral(".partial");
    if (path.endsWith(QStringLiteral(".gz"))) {
        gzFile out = gzopen(QFile::encodeName(temporary).constData(), "wb9");
        const bool ok =
            out && gzwrite(out, bytes.constData(), static_cast<unsigned>(bytes.size())) ==
                       static_cast<int>(bytes.size());
        if (!out || gzclose(out) != Z_OK || !ok) {
            throw ImportError(QStringLiteral("%1: cannot write").arg(path));
        }
    } else {
        QFile file(temporary);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(bytes) != bytes.size()) {
            throw ImportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
        }
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        throw ImportError(QStringLiteral("%1: cannot move the written file into place").arg(path));
    }
}

QString idxLabelsPathFor(const QString &imagesPath)
{
    const QFileInfo info(imagesPath);
    QString name = info.fileName();
    if (!name.contains(QStringLiteral("images")) || !name.contains(QStringLiteral("idx3"))) {
        return {};
    }
    name.replace(QStringLiteral("images"), QStringLiteral("labels"));
    name.replace(QStringLiteral("idx3"), QStringLiteral("idx1"));
    return info.dir().filePath(name);
}

bool looksLikeIdxName(const QString &fileName)
{
    return fileName.contains(QStringLiteral("-idx")) || fileName.contains(QStringLiteral(".idx")) ||
           fileName.endsWith(QStringLiteral("ubyte")) ||
           fileName.endsWith(QStringLiteral("ubyte.gz"));
}

} // namespace digitdesk::annotation
