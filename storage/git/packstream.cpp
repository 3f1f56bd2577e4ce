#include "storage/git/packstream.h"

#include "storage/git/error.h"
#include "storage/storageerror.h"

#include <QtEndian>

#include <algorithm>

namespace digitdesk::storage::git {
namespace {

constexpr qsizetype ChunkSize = 1 << 20;

// Below this, zlib's setup (a quarter megabyte per stream) costs more than compression saves;
// the images are PNGs, compressed already.
constexpr size_t SmallestToCompress = 4096;

quint32 adler32(const char *data, size_t size)
{
    constexpr quint32 Modulus = 65521;
    constexpr size_t LongestRunWithoutOverflow = 5552;
    quint32 a = 1;
    quint32 b = 0;
    while (size > 0) {
        const size_t run = std::min(size, LongestRunWithoutOverflow);
        for (size_t i = 0; i < run; ++i) {
            a += static_cast<unsigned char>(data[i]);
            b += a;
        }
        a %= Modulus;
        b %= Modulus;
        data += run;
        size -= run;
    }
    return (b << 16) | a;
}

} // namespace

PackStream::PackStream(git_odb *odb, quint32 objectCount, const QString &doing) : m_doing(doing)
{
    check(git_odb_write_pack(out(m_writepack), odb, nullptr, nullptr), m_doing);
    m_buffer.reserve(ChunkSize + 64);
    char header[12] = {'P', 'A', 'C', 'K'};
    qToBigEndian<quint32>(2, header + 4);
    qToBigEndian<quint32>(objectCount, header + 8);
    append(header, sizeof header);
}

void PackStream::add(git_object_t type, const char *data, size_t size)
{
    // The object header: type and size, the size in 4 then 7 bit groups, low bits first.
    char header[16];
    qsizetype length = 0;
    size_t rest = size >> 4;
    unsigned char byte = static_cast<unsigned char>((type << 4) | (size & 0x0f));
    while (rest != 0) {
        header[length++] = static_cast<char>(byte | 0x80);
        byte = static_cast<unsigned char>(rest & 0x7f);
        rest >>= 7;
    }
    header[length++] = static_cast<char>(byte);
    append(header, length);
    if (size < SmallestToCompress) {
        appendStored(data, size);
        return;
    }
    // qCompress is zlib's compress2 behind a 4-byte length. Level 1: a version's labels.csv and
    // most of its trees are rewritten on every commit, and at 60,000 images the default level
    // took half a second more for 1% less size.
    const QByteArray compressed =
        qCompress(reinterpret_cast<const uchar *>(data), static_cast<qsizetype>(size), 1);
    if (compressed.size() <= 4) {
        throw StorageError(m_doing + QStringLiteral(": compressing an object failed"));
    }
    append(compressed.constData() + 4, compressed.size() - 4);
}

void PackStream::appendStored(const char *data, size_t size)
{
    append("\x78\x01", 2); // zlib header: deflate with a 32 KiB window, no dictionary
    size_t offset = 0;
    do {
        const size_t block = std::min<size_t>(size - offset, 0xffff);
        const bool last = offset + block == size;
        const auto low = static_cast<char>(block & 0xff);
        const auto high = static_cast<char>(block >> 8);
        const char blockHeader[5] = {last ? '\1' : '\0', low, high, static_cast<char>(~low),
                                     static_cast<char>(~high)};
        append(blockHeader, sizeof blockHeader);
        append(data + offset, static_cast<qsizetype>(block));
        offset += block;
    } while (offset < size);
    char checksum[4];
    qToBigEndian<quint32>(adler32(data, size), checksum);
    append(checksum, sizeof checksum);
}

void PackStream::finish()
{
    flush();
    const QByteArray checksum = m_checksum.result();
    check(m_writepack->append(m_writepack.get(), checksum.constData(),
                              static_cast<size_t>(checksum.size()), &m_progress),
          m_doing);
    check(m_writepack->commit(m_writepack.get(), &m_progress), m_doing);
}

void PackStream::append(const char *data, qsizetype size)
{
    m_checksum.addData(QByteArrayView(data, size));
    m_buffer.append(data, size);
    if (m_buffer.size() >= ChunkSize) {
        flush();
    }
}

void PackStream::flush()
{
    if (!m_buffer.isEmpty()) {
        check(m_writepack->append(m_writepack.get(), m_buffer.constData(),
                                  static_cast<size_t>(m_buffer.size()), &m_progress),
              m_doing);
        m_buffer.resize(0); // keeps the capacity
    }
}

} // namespace digitdesk::storage::git
