#include "ui/imagelistmodel.h"

#include <algorithm>

namespace digitdesk::ui {

ImageListModel::ImageListModel(PixelSource pixels, QObject *parent)
    : QAbstractListModel(parent), m_pixels(std::move(pixels)), m_cache(20000)
{}

void ImageListModel::setImages(std::vector<storage::ImageSummary> images)
{
    beginResetModel();
    m_images = std::move(images);
    endResetModel();
}

int ImageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_images.size());
}

QImage ImageListModel::toImage(const QByteArray &pixels)
{
    if (pixels.size() != 28 * 28) {
        return {};
    }
    return QImage(reinterpret_cast<const uchar *>(pixels.constData()), 28, 28, 28,
                  QImage::Format_Grayscale8)
        .copy();
}

QImage ImageListModel::thumbnail(int row) const
{
    const qint64 id = m_images[static_cast<size_t>(row)].id;
    if (const QImage *cached = m_cache.object(id)) {
        return *cached;
    }
    // Fetch the whole page around the row: one query serves the next few hundred paints.
    const int first = std::max(0, row - PageSize / 4);
    const int last = std::min(rowCount() - 1, first + PageSize - 1);
    std::vector<qint64> ids;
    for (int r = first; r <= last; ++r) {
        const qint64 pageId = m_images[static_cast<size_t>(r)].id;
        if (!m_cache.contains(pageId)) {
            ids.push_back(pageId);
        }
    }
    const QHash<qint64, QByteArray> fetched = m_pixels(ids);
    for (auto it = fetched.cbegin(); it != fetched.cend(); ++it) {
        m_cache.insert(it.key(), new QImage(toImage(it.value())));
    }
    const QImage *image = m_cache.object(id);
    return image ? *image : QImage();
}

QVariant ImageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const storage::ImageSummary &image = m_images[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("#%1").arg(image.id);
    case Qt::DecorationRole:
        return thumbnail(index.row());
    case Qt::ToolTipRole:
        return tr("Image #%1, %2%3")
            .arg(image.id)
            .arg(storage::toString(image.status))
            .arg(image.label >= 0    ? tr(", label %1").arg(image.label)
                 : image.label == -2 ? tr(", not a digit")
                                     : QString());
    case ImageIdRole:
        return image.id;
    case StatusRole:
        return static_cast<int>(image.status);
    case LabelRole:
        return image.label;
    default:
        return {};
    }
}

} // namespace digitdesk::ui
