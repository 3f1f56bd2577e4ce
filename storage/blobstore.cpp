#include "storage/blobstore.h"

#include "storage/storageerror.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <unistd.h>

namespace digitdesk::storage {
namespace {

bool isDigest(const QString &digest)
{
    if (digest.size() != 64) {
        return false;
    }
    for (const QChar c : digest) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'))) {
            return false;
        }
    }
    return true;
}

} // namespace

BlobStore::BlobStore(QString root) : m_root(std::move(root)) {}

QString BlobStore::digestOf(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QString BlobStore::put(const QByteArray &bytes) const
{
    QString digest = digestOf(bytes);
    putWithDigest(bytes, digest);
    return digest;
}

void BlobStore::putWithDigest(const QByteArray &bytes, const QString &digest) const
{
    const QString path = pathOf(digest);
    if (QFileInfo::exists(path)) {
        return;
    }
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder)) {
        throw StorageError(QStringLiteral("cannot create blob folder %1").arg(folder));
    }
    const QString temporary =
        path + QStringLiteral(".tmp-%1").arg(QCoreApplication::applicationPid());
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        throw StorageError(
            QStringLiteral("cannot write blob %1: %2").arg(temporary, file.errorString()));
    }
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.close();
        QFile::remove(temporary);
        throw StorageError(QStringLiteral("cannot write blob %1: %2").arg(temporary, reason));
    }
    file.close();
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) !=
        0) {
        QFile::remove(temporary);
        throw StorageError(QStringLiteral("cannot move blob into place at %1").arg(path));
    }
}

bool BlobStore::contains(const QString &digest) const
{
    return isDigest(digest) && QFileInfo::exists(pathOf(digest));
}

QByteArray BlobStore::read(const QString &digest) const
{
    QFile file(pathOf(digest));
    if (!file.open(QIODevice::ReadOnly)) {
        throw StorageError(
            QStringLiteral("cannot read blob %1: %2").arg(file.fileName(), file.errorString()));
    }
    return file.readAll();
}

QString BlobStore::pathOf(const QString &digest) const
{
    if (!isDigest(digest)) {
        throw StorageError(QStringLiteral("'%1' is not a SHA-256 digest").arg(digest));
    }
    return m_root + QLatin1Char('/') + digest.left(2) + QLatin1Char('/') + digest;
}

void BlobStore::flush() const
{
    // One syncfs for the whole batch costs what one fsync costs, instead of one per blob.
    const int fd = ::open(QFile::encodeName(m_root).constData(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        throw StorageError(QStringLiteral("cannot open blob folder %1 to flush it").arg(m_root));
    }
    const int result = ::syncfs(fd);
    ::close(fd);
    if (result != 0) {
        throw StorageError(QStringLiteral("cannot flush blob folder %1 to disk").arg(m_root));
    }
}

} // namespace digitdesk::storage
