#pragma once

#include "storage/imagerepository.h"

#include <QAbstractListModel>
#include <QCache>
#include <QImage>

#include <functional>
#include <vector>

namespace digitdesk::ui {

// Every image of the current filter as a row; the 28x28 pixels are fetched a page at a time
// when a row is first painted and kept in a bounded cache, so 100,000 rows cost a few MB.
class ImageListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageListModel)

public:
    enum Role
    {
        ImageIdRole = Qt::UserRole + 1,
        StatusRole,
        LabelRole
    };
    using PixelSource = std::function<QHash<qint64, QByteArray>(const std::vector<qint64> &)>;
    static constexpr int PageSize = 256;

    explicit ImageListModel(PixelSource pixels, QObject *parent = nullptr);

    void setImages(std::vector<storage::ImageSummary> images);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    static QImage toImage(const QByteArray &pixels);

private:
    QImage thumbnail(int row) const;

    PixelSource m_pixels;
    std::vector<storage::ImageSummary> m_images;
    mutable QCache<qint64, QImage> m_cache;
};

} // namespace digitdesk::ui
