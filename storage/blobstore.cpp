#include "storage/blobstore.h"

#include "storage/storageerror.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
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

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// The blob at `path` is `size` bytes that hash to `digest`: a file cut short by a full disk or a
// crash, or damaged since, is not.
bool holds(const QString &path, qint64 size, const QString &digest)
{
    QFile file(path);
    if (file.size() != size || !file.open(QIODevice::ReadOnly)) {
        return false;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    return hash.addData(&file) && QString::fromLatin1(hash.result().toHex()) == digest;
}

// Writes all of `bytes` to a new file, every write and the close checked: QFile buffers small
// writes and drops the error of the flush in close(), which is how a full disk left short blobs.
void writeNewFile(const QString &path, const QByteArray &bytes, const QString &blob)
{
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        throw StorageError(
            QStringLiteral("cannot write blob %1: %2").arg(blob, systemError(errno)));
    }
    const char *data = bytes.constData();
    qint64 left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, static_cast<size_t>(left));
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            const int error = written < 0 ? errno : ENOSPC;
            ::close(fd);
            QFile::remove(path);
            throw StorageError(
                QStringLiteral("cannot write blob %1: %2").arg(blob, systemError(error)));
        }
        data += written;
        left -= written;
    }
    if (::close(fd) != 0) {
        const int error = errno;
        QFile::remove(path);
        throw StorageError(
            QStringLiteral("cannot write blob %1: %2").arg(blob, systemError(error)));
    }
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
    if (QFileInfo::exists(path) && holds(path, bytes.size(), digest)) {
        return;
    }
    const QString folder = QFileInfo(path).absolutePath();
    if (::mkdir(QFile::encodeName(folder).constData(), 0777) != 0) {
        const int error = errno;
        if (error != EEXIST && !QDir().mkpath(folder)) {
            throw StorageError(
                QStringLiteral("cannot create blob folder %1: %2").arg(folder, systemError(error)));
        }
    }
    // Unique per process and per call: two threads may store the same scan at once.
    static std::atomic<quint64> counter{0};
    const QString temporary = path + QStringLiteral(".tmp-%1-%2")
                                         .arg(QCoreApplication::applicationPid())
                                         .arg(counter.fetch_add(1));
    writeNewFile(temporary, bytes, path);
    // Over a short or damaged blob too: rename replaces it in one step.
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) !=
        0) {
        const int error = errno;
        QFile::remove(temporary);
        throw StorageError(
            QStringLiteral("cannot move blob into place at %1: %2").arg(path, systemError(error)));
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
    // One syncfs for the whole batch costs what one fsync costs, instead of one per blob; it
    // covers the files' contents and the renames that named them.
    const int fd = ::open(QFile::encodeName(m_root).constData(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        throw StorageError(QStringLiteral("cannot open blob folder %1 to flush it: %2")
                               .arg(m_root, systemError(errno)));
    }
    const int result = ::syncfs(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0) {
        throw StorageError(QStringLiteral("cannot flush blob folder %1 to disk: %2")
                               .arg(m_root, systemError(error)));
    }
}

} // namespace digitdesk::storage
