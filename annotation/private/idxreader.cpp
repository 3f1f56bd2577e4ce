#include "annotation/private/idxreader.h"

#include "annotation/idxfile.h"

#include <QFileInfo>
#include <QStringList>
#include <QtNumeric>

namespace digitdesk::annotation {
namespace {

constexpr unsigned char UnsignedByteType = 0x08;
constexpr quint32 MaxDimension = 100'000'000;

} // namespace

IdxReader::IdxReader(const QString &path) : m_input(path)
{
    const QByteArray magic = m_input.read(4);
    if (magic.size() < 4) {
        throw ImportError(QStringLiteral("%1: not an IDX file: shorter than its 4-byte magic "
                                         "number")
                              .arg(path));
    }
    const auto byte = [](const QByteArray &bytes, qsizetype i) {
        return static_cast<unsigned char>(bytes[i]);
    };
    if (byte(magic, 0) != 0 || byte(magic, 1) != 0) {
        throw ImportError(QStringLiteral("%1: not an IDX file: wrong magic number 0x%2")
                              .arg(path, QString::fromLatin1(magic.toHex())));
    }
    if (byte(magic, 2) != UnsignedByteType) {
        throw ImportError(QStringLiteral("%1: IDX data type 0x%2 is not supported; only unsigned "
                                         "bytes (0x08), as in MNIST")
                              .arg(path)
                              .arg(byte(magic, 2), 2, 16, QLatin1Char('0')));
    }
    const int rank = byte(magic, 3);
    if (rank < 1 || rank > 3) {
        throw ImportError(
            QStringLiteral("%1: IDX files of %2 dimensions are not supported").arg(path).arg(rank));
    }
    const QByteArray header = m_input.read(4 * rank);
    if (header.size() < 4 * rank) {
        throw ImportError(QStringLiteral("%1: truncated IDX header").arg(path));
    }
    QStringList shape;
    for (int d = 0; d < rank; ++d) {
        const qsizetype at = 4 * d;
        const quint32 value = quint32(byte(header, at)) << 24 | byte(header, at + 1) << 16 |
                              byte(header, at + 2) << 8 | byte(header, at + 3);
        if (value > MaxDimension) {
            throw ImportError(QStringLiteral("%1: IDX dimension %2 is implausibly large (%3)")
                                  .arg(path)
                                  .arg(d)
                                  .arg(value));
        }
        if (d > 0 && value == 0) {
            throw ImportError(QStringLiteral("%1: IDX dimension %2 is 0, so its items hold no "
                                             "data")
                                  .arg(path)
                                  .arg(d));
        }
        m_dimensions.push_back(static_cast<int>(value));
        shape << QString::number(value);
    }
    qint64 dataBytes = 1;
    for (size_t d = 0; d < m_dimensions.size(); ++d) {
        if (qMulOverflow(dataBytes, qint64(m_dimensions[d]), &dataBytes) ||
            dataBytes > MaxInflatedBytes) {
            throw ImportError(QStringLiteral("%1: the IDX header declares %2 bytes of data, more "
                                             "than the %3 MiB an IDX file may hold")
                                  .arg(path, shape.join(QStringLiteral(" x ")))
                                  .arg(MaxInflatedBytes / (1024 * 1024)));
        }
        if (d > 0) {
            m_itemSize *= m_dimensions[d];
        }
    }
    m_dataBytes = dataBytes;
}

void IdxReader::verify(const QString &path)
{
    IdxReader reader(path);
    if (!reader.isGzip()) {
        const qint64 actual = QFileInfo(path).size() - reader.m_input.position();
        if (actual != reader.m_dataBytes) {
            reader.throwSizeMismatch(actual, actual < reader.m_dataBytes);
        }
        return;
    }
    const qint64 read = reader.m_input.skip(reader.m_dataBytes);
    if (read < reader.m_dataBytes) {
        reader.throwSizeMismatch(read, true);
    }
    reader.expectEnd();
}

QByteArray IdxReader::readItems(qint64 count)
{
    count = std::min(count, itemCount() - m_itemsRead);
    if (count <= 0) {
        return {};
    }
    const QByteArray bytes = m_input.read(count * m_itemSize);
    if (bytes.size() < count * m_itemSize) {
        throwSizeMismatch(m_itemsRead * m_itemSize + bytes.size(), true);
    }
    m_itemsRead += count;
    return bytes;
}

void IdxReader::expectEnd()
{
    if (!m_input.atEnd()) {
        throwSizeMismatch(-1, false);
    }
}

void IdxReader::throwSizeMismatch(qint64 actual, bool truncated) const
{
    throw ImportError(
        QStringLiteral("%1: the header promises %2 bytes of data but the file "
                       "holds %3 (%4)")
            .arg(m_input.path())
            .arg(m_dataBytes)
            .arg(actual < 0 ? QStringLiteral("more") : QString::number(actual))
            .arg(truncated ? QStringLiteral("truncated") : QStringLiteral("trailing bytes")));
}

} // namespace digitdesk::annotation
