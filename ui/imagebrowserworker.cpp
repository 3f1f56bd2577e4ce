#include "ui/imagebrowserworker.h"

#include "storage/connection.h"
#include "ui/slotguard.h"

namespace digitdesk::ui {

ImageBrowserWorker::ImageBrowserWorker(QString databasePath)
    : m_databasePath(std::move(databasePath))
{}

ImageBrowserWorker::~ImageBrowserWorker() = default;

storage::ImageRepository &ImageBrowserWorker::images()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_images) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
        m_images = std::make_unique<storage::ImageRepository>(m_connection->db());
    }
    return *m_images;
}

void ImageBrowserWorker::loadList(quint64 request, const storage::ImageFilter &filter)
{
    try {
        std::vector<storage::ImageSummary> list = images().list(filter);
        Q_EMIT listReady(request, list, images().sources());
    } catch (...) {
        Q_EMIT listFailed(request, errorText(std::current_exception()));
    }
}

void ImageBrowserWorker::loadPixels(const QList<qint64> &imageIds)
{
    try {
        Q_EMIT pixelsReady(images().pixels(std::vector<qint64>(imageIds.begin(), imageIds.end())));
    } catch (...) {
        Q_EMIT pixelsFailed(imageIds, errorText(std::current_exception()));
    }
}

void ImageBrowserWorker::loadDetails(qint64 imageId)
{
    try {
        if (const auto image = images().details(imageId)) {
            Q_EMIT detailsReady(imageId, *image);
        } else {
            Q_EMIT detailsMissing(imageId);
        }
    } catch (...) {
        Q_EMIT detailsFailed(imageId, errorText(std::current_exception()));
    }
}

} // namespace digitdesk::ui
