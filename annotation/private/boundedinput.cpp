#include "annotation/private/boundedinput.h"

#include "annotation/idxfile.h"

#include <zlib.h>

#include <cstring>

namespace digitdesk::annotation {
namespace {

constexpr qint64 ChunkBytes = 64 * 1024;

bool startsWithGzipMagic(const QByteArray &bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

} // namespace

void BoundedInput::InflateEnd::operator()(z_stream_s *stream) const
{
    inflateEnd(stream);
    delete stream;
}

BoundedInput::BoundedInput(const QString &path) : m_path(path), m_file(path)
{
    if (!m_file.open(QIODevice::ReadOnly)) {
        throw ImportError(QStringLiteral("%1: cannot open: %2").arg(path, m_file.errorString()));
    }
    if (startsWithGzipMagic(m_file.peek(2))) {
        auto *stream = new z_stream{};
        if (inflateInit2(stream, 16 + MAX_WBITS) != Z_OK) {
            delete stream;
            throw ImportError(QStringLiteral("%1: cannot start gzip decompression").arg(path));
        }
        m_stream.reset(stream);
    }
}

BoundedInput::~BoundedInput() = default;

bool BoundedInput::atEnd()
{
    return !fill();
}

QByteArray BoundedInput::read(qint64 size)
{
    QByteArray bytes;
    while (bytes.size() < size && fill()) {
        const qsizetype take = std::min<qint64>(m_buffer.size() - m_offset, size - bytes.size());
        bytes.append(m_buffer.constData() + m_offset, take);
        m_offset += take;
        m_position += take;
    }
    return bytes;
}

qint64 BoundedInput::skip(qint64 size)
{
    qint64 skipped = 0;
    while (skipped < size && fill()) {
        const qsizetype take = std::min<qint64>(m_buffer.size() - m_offset, size - skipped);
        m_offset += take;
        m_position += take;
        skipped += take;
    }
    return skipped;
}

bool BoundedInput::readLine(QByteArray *line, qint64 maxLength)
{
    line->clear();
    if (!fill()) {
        return false;
    }
    ++m_lineNumber;
    while (fill()) {
        const char *begin = m_buffer.constData() + m_offset;
        const qsizetype available = m_buffer.size() - m_offset;
        const auto *newline = static_cast<const char *>(std::memchr(begin, '\n', available));
        const qsizetype take = newline ? newline - begin : available;
        if (line->size() + take > maxLength) {
            throw ImportError(QStringLiteral("%1: line %2 is longer than %3 bytes; not a CSV "
                                             "file of a label and 784 pixels")
                                  .arg(m_path)
                                  .arg(m_lineNumber)
                                  .arg(maxLength));
        }
        line->append(begin, take);
        m_offset += take;
        m_position += take;
        if (newline) {
            ++m_offset;
            ++m_position;
            break;
        }
    }
    if (line->endsWith('\r')) {
        line->chop(1);
    }
    return true;
}

bool BoundedInput::fill()
{
    if (m_offset < m_buffer.size()) {
        return true;
    }
    m_buffer.clear();
    m_offset = 0;
    if (!m_stream) {
        m_buffer = m_file.read(ChunkBytes);
        if (m_buffer.isEmpty() && m_file.error() != QFileDevice::NoError) {
            throw ImportError(
                QStringLiteral("%1: cannot read: %2").arg(m_path, m_file.errorString()));
        }
        return !m_buffer.isEmpty();
    }
    while (m_buffer.isEmpty()) {
        if (!inflateMore()) {
            return false;
        }
    }
    return true;
}

bool BoundedInput::inflateMore()
{
    z_stream_s *stream = m_stream.get();
    const auto unread = [&] {
        return QByteArray(reinterpret_cast<const char *>(stream->next_in),
                          static_cast<qsizetype>(stream->avail_in));
    };
    if (m_streamEnded) {
        // What follows a complete member is another member, or the end: gzip(1) ignores
        // trailing bytes that are not one, and so does this.
        if (stream->avail_in < 2) {
            m_compressed = unread() + m_file.read(ChunkBytes);
            stream->next_in = reinterpret_cast<Bytef *>(m_compressed.data());
            stream->avail_in = static_cast<uInt>(m_compressed.size());
        }
        if (!startsWithGzipMagic(unread().left(2))) {
            return false;
        }
        inflateReset(stream);
        m_streamEnded = false;
    }
    if (stream->avail_in == 0) {
        m_compressed = m_file.read(ChunkBytes);
        if (m_compressed.isEmpty()) {
            if (m_file.error() != QFileDevice::NoError) {
                throw ImportError(
                    QStringLiteral("%1: cannot read: %2").arg(m_path, m_file.errorString()));
            }
            throw ImportError(QStringLiteral("%1: truncated gzip data").arg(m_path));
        }
        stream->next_in = reinterpret_cast<Bytef *>(m_compressed.data());
        stream->avail_in = static_cast<uInt>(m_compressed.size());
    }
    m_buffer.resize(ChunkBytes);
    stream->next_out = reinterpret_cast<Bytef *>(m_buffer.data());
    stream->avail_out = static_cast<uInt>(ChunkBytes);
    const int status = inflate(stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
        throw ImportError(
            QStringLiteral("%1: corrupt gzip data (%2)")
                .arg(m_path, QString::fromLatin1(stream->msg ? stream->msg : "inflate failed")));
    }
    m_buffer.resize(static_cast<qsizetype>(ChunkBytes - stream->avail_out));
    m_streamEnded = status == Z_STREAM_END;
    m_inflated += m_buffer.size();
    if (m_inflated > MaxInflatedBytes) {
        throw ImportError(QStringLiteral("%1: inflates to more than %2 MiB, the limit for a .gz "
                                         "file (a gzip bomb?)")
                              .arg(m_path)
                              .arg(MaxInflatedBytes / (1024 * 1024)));
    }
    return true;
}

} // namespace digitdesk::annotation
