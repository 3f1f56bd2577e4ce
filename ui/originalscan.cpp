#include "ui/originalscan.h"

#include "storage/blobstore.h"
#include "ui/slotguard.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QImageReader>
#include <QThreadPool>

namespace digitdesk::ui {
namespace {

constexpr int MaxDecodedMegabytes = 512;

} // namespace

OriginalScan loadOriginalScan(const storage::BlobStore &blobs, qint64 imageId,
                              const QString &sha256, QSize bound)
{
    OriginalScan scan;
    scan.imageId = imageId;
    try {
        QByteArray bytes = blobs.read(sha256);
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::ReadOnly);
        QImageReader reader(&buffer);
        // Past Qt's default of 128 MB: the importer takes scans of up to 50 megapixels, which
        // decode to 200 MB at 4 bytes a pixel and 400 MB at 16 bits a channel.
        reader.setAllocationLimit(MaxDecodedMegabytes);
        const QSize size = reader.size();
        if (size.isValid() && (size.width() > bound.width() || size.height() > bound.height())) {
            // Decoders that can scale while decoding (JPEG) never hold the full scan.
            reader.setScaledSize(size.scaled(bound, Qt::KeepAspectRatio));
        }
        scan.image = reader.read();
        if (scan.image.isNull()) {
            scan.problem =
                QCoreApplication::translate("OriginalScan", "blob %1 cannot be decoded: %2")
                    .arg(sha256.left(16), reader.errorString());
        }
    } catch (...) {
        scan.image = {};
        scan.problem = errorText(std::current_exception());
    }
    return scan;
}

QThreadPool *originalScanPool()
{
    static QThreadPool *const pool = [] {
        auto *decoding = new QThreadPool(QCoreApplication::instance());
        decoding->setMaxThreadCount(1);
        decoding->setObjectName(QStringLiteral("original scans"));
        return decoding;
    }();
    return pool;
}

} // namespace digitdesk::ui
