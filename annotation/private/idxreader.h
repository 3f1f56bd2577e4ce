#pragma once

#include "annotation/private/boundedinput.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace digitdesk::annotation {

// An unsigned-byte IDX file (raw or gzipped) read item by item. The header is checked when the
// reader opens: a wrong magic number, a zero item dimension, or data that would not fit in
// MaxInflatedBytes (the product computed with checked arithmetic) throw ImportError, so nothing
// is allocated on the word of a header that lies.
class IdxReader final
{
public:
    explicit IdxReader(const QString &path);
    Q_DISABLE_COPY_MOVE(IdxReader)

    // Checks that the file at `path` holds exactly the data its header promises: a raw file by
    // its size, a .gz by inflating it to its end (within its limit). Throws ImportError.
    static void verify(const QString &path);

    const std::vector<int> &dimensions() const { return m_dimensions; }
    bool isGzip() const { return m_input.isGzip(); }
    qint64 itemCount() const { return m_dimensions.front(); }
    qint64 itemSize() const { return m_itemSize; }
    qint64 dataBytes() const { return m_dataBytes; }
    qint64 itemsRead() const { return m_itemsRead; }

    // The next `count` items' bytes (fewer after the last item); data that ends before the
    // header says it does throws ImportError.
    QByteArray readItems(qint64 count);
    // After the last item: throws ImportError when the file holds more than its header says.
    void expectEnd();

private:
    [[noreturn]] void throwSizeMismatch(qint64 actual, bool truncated) const;

    BoundedInput m_input;
    std::vector<int> m_dimensions;
    qint64 m_itemSize = 1;
    qint64 m_dataBytes = 0;
    qint64 m_itemsRead = 0;
};

} // namespace digitdesk::annotation
