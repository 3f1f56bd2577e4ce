#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::storage {

// Original scans, content-addressed by SHA-256 under blobs/ab/<sha256>. A blob is written to a
// temporary file and renamed into place, so a reader never sees half a blob; flush() makes
// every blob written so far durable before the database rows that name them are committed.
class BlobStore final
{
public:
    explicit BlobStore(QString root);

    static QString digestOf(const QByteArray &bytes);

    // Stores the bytes (once: an existing blob is not rewritten) and returns their digest.
    QString put(const QByteArray &bytes) const;
    // As put(), with the digest already computed by the caller.
    void putWithDigest(const QByteArray &bytes, const QString &digest) const;
    bool contains(const QString &digest) const;
    QByteArray read(const QString &digest) const;
    QString pathOf(const QString &digest) const;
    void flush() const;
    QString root() const { return m_root; }

private:
    QString m_root;
};

} // namespace digitdesk::storage
