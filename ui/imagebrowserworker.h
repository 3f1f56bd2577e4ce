#pragma once

#include "storage/imagerepository.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

Q_DECLARE_METATYPE(digitdesk::storage::ImageFilter)
Q_DECLARE_METATYPE(digitdesk::storage::ImageDetails)
Q_DECLARE_METATYPE(std::vector<digitdesk::storage::ImageSummary>)

namespace digitdesk::ui {

// Runs the image browser's queries on its own thread with its own database connection, one at
// a time in the order they were asked, so the browser never waits for SQL: a filter's list
// (with the sources to filter by), the 28x28 pixels of a page of tiles, one image's details.
// Every answer names what it answers, so the view can drop those it no longer wants.
class ImageBrowserWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageBrowserWorker)

public:
    explicit ImageBrowserWorker(QString databasePath);
    ~ImageBrowserWorker() override;

public Q_SLOTS:
    void loadList(quint64 request, const digitdesk::storage::ImageFilter &filter);
    void loadPixels(const QList<qint64> &imageIds);
    void loadDetails(qint64 imageId);

Q_SIGNALS:
    void listReady(quint64 request, const std::vector<digitdesk::storage::ImageSummary> &images,
                   const QStringList &sources);
    void listFailed(quint64 request, const QString &reason);
    void pixelsReady(const QHash<qint64, QByteArray> &pixels);
    void pixelsFailed(const QList<qint64> &imageIds, const QString &reason);
    void detailsReady(qint64 imageId, const digitdesk::storage::ImageDetails &image);
    // The image was deleted since the list was read.
    void detailsMissing(qint64 imageId);
    void detailsFailed(qint64 imageId, const QString &reason);

private:
    storage::ImageRepository &images();

    QString m_databasePath;
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<storage::ImageRepository> m_images;
};

} // namespace digitdesk::ui
