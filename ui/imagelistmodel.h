#pragma once

#include "storage/imagerepository.h"

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QList>
#include <QSet>

#include <functional>
#include <vector>

namespace digitdesk::ui {

// Every image of the current filter as a row; the 28x28 pixels of a page of rows are asked for
// when a row is first painted and kept in a bounded cache, so 100,000 rows cost a few MB. The
// asking never waits: a tile is black until its page arrives through addPixels.
class ImageListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageListModel)

public:
    enum Role
    {
        ImageIdRole = Qt::UserRole + 1,
        StatusRole,
        LabelRole // the latest label's text ("7", "x"); invalid when there is none
    };
    // Asks, off the GUI thread, for these images' pixels; the answer comes to addPixels or
    // dropPixels, later.
    using PixelRequest = std::function<void(const QList<qint64> &imageIds)>;
    static constexpr int PageSize = 256;

    explicit ImageListModel(PixelRequest requestPixels, QObject *parent = nullptr);

    void setImages(std::vector<storage::ImageSummary> images);
    void addPixels(const QHash<qint64, QByteArray> &pixels);
    // Pixels that could not be read: their tiles stay black until the next setImages.
    void dropPixels(const QList<qint64> &imageIds);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    // The pixels of a row when they are here already, a null image otherwise.
    QImage cachedThumbnail(int row) const;
    static QImage toImage(const QByteArray &pixels);

private:
    QImage thumbnail(int row) const;
    void pixelsChanged(const QList<qint64> &imageIds);

    PixelRequest m_requestPixels;
    std::vector<storage::ImageSummary> m_images;
    QHash<qint64, int> m_rowOf;
    mutable QCache<qint64, QImage> m_cache;
    mutable QSet<qint64> m_asked;
    QSet<qint64> m_unreadable;
};

} // namespace digitdesk::ui
