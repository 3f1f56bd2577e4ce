#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::storage {

// Original scans, content-addressed by SHA-256 under blobs/ab/<sha256>. A blob is written to a
// temporary file, every write and the close checked, and renamed into place, so a reader never
// sees half a blob and a full disk is an error, never a short blob. flush() (one syncfs) makes
// every blob written so far durable, renames included, before the database rows that name them
// are committed; a blob left short by a crash before that has no row and is rewritten by the
// next put() of its bytes.
class BlobStore final
{
public:
    explicit BlobStore(QString root);

    static QString digestOf(const QByteArray &bytes);

    // Stores the bytes and returns their digest. An existing blob is kept when its size and
    // SHA-256 are right, and replaced otherwise (a truncated or damaged one is repaired).
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
