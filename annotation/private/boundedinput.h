#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <memory>

struct z_stream_s;

namespace digitdesk::annotation {

// A file read front to back as a stream of content, inflated on the way when it is gzip (one
// member or several, as `cat a.gz b.gz` makes). A .gz never inflates past MaxInflatedBytes:
// a gzip bomb stops with an ImportError that names the file, long before memory runs out.
// Nothing here holds more than one chunk of the file at a time.
class BoundedInput final
{
public:
    explicit BoundedInput(const QString &path);
    ~BoundedInput();
    Q_DISABLE_COPY_MOVE(BoundedInput)

    bool isGzip() const { return m_stream != nullptr; }
    const QString &path() const { return m_path; }
    // Bytes of content read so far.
    qint64 position() const { return m_position; }
    bool atEnd();
    // Up to `size` bytes of content; fewer only at the end.
    QByteArray read(qint64 size);
    // Skips up to `size` bytes of content; returns how many were there.
    qint64 skip(qint64 size);
    // The next line without its end ("\n" or "\r\n"); false at the end of the content. A line
    // longer than `maxLength` throws ImportError.
    bool readLine(QByteArray *line, qint64 maxLength);

private:
    struct InflateEnd
    {
        void operator()(z_stream_s *stream) const;
    };

    bool fill();
    bool inflateMore();

    QString m_path;
    QFile m_file;
    std::unique_ptr<z_stream_s, InflateEnd> m_stream;
    QByteArray m_compressed;
    QByteArray m_buffer; // content not handed out yet, from m_offset on
    qsizetype m_offset = 0;
    qint64 m_position = 0;
    qint64 m_inflated = 0;
    qint64 m_lineNumber = 0;
    bool m_streamEnded = false;
};

} // namespace digitdesk::annotation
