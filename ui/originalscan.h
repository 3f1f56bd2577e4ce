#pragma once

#include <QImage>
#include <QSize>
#include <QString>

class QThreadPool;

namespace digitdesk::storage {
class BlobStore;
}

namespace digitdesk::ui {

struct OriginalScan
{
    qint64 imageId = 0;
    QImage image;    // fitted into the bound asked for; null when it cannot be shown
    QString problem; // why not, for the person looking; empty when it is shown
};

// Reads an image's original scan from the blob store and decodes it no larger than `bound`.
// A scan may be 256 MB and take seconds to decode: for a worker thread, never the GUI's.
// Never throws: a missing, unreadable or undecodable blob comes back as a problem.
OriginalScan loadOriginalScan(const storage::BlobStore &blobs, qint64 imageId,
                              const QString &sha256, QSize bound);

// The one thread that decodes scans. Not Qt's global pool: QImage's smooth scaling and drawing
// split their work over that pool and wait for it on the GUI thread, so a decode that held one
// of its two threads for a second froze every painted image for as long.
QThreadPool *originalScanPool();

} // namespace digitdesk::ui
