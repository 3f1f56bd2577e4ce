#include "ui/imagelistmodel.h"

#include <algorithm>

namespace digitdesk::ui {

ImageListModel::ImageListModel(PixelRequest requestPixels, QObject *parent)
    : QAbstractListModel(parent), m_requestPixels(std::move(requestPixels)), m_cache(20000)
{}

void ImageListModel::setImages(std::vector<storage::ImageSummary> images)
{
    beginResetModel();
    m_images = std::move(images);
    m_rowOf.clear();
    m_rowOf.reserve(static_cast<qsizetype>(m_images.size()));
    for (size_t row = 0; row < m_images.size(); ++row) {
        m_rowOf.insert(m_images[row].id, static_cast<int>(row));
    }
    // A new list asks again for what is missing, whatever became of earlier requests.
    m_asked.clear();
    m_unreadable.clear();
    endResetModel();
}

void ImageListModel::addPixels(const QHash<qint64, QByteArray> &pixels)
{
    QList<qint64> ids;
    for (auto it = pixels.cbegin(); it != pixels.cend(); ++it) {
        m_cache.insert(it.key(), new QImage(toImage(it.value())));
        ids << it.key();
    }
    pixelsChanged(ids);
}

void ImageListModel::dropPixels(const QList<qint64> &imageIds)
{
    for (const qint64 id : imageIds) {
        m_unreadable.insert(id);
    }
    pixelsChanged(imageIds);
}

void ImageListModel::pixelsChanged(const QList<qint64> &imageIds)
{
    int first = rowCount();
    int last = -1;
    for (const qint64 id : imageIds) {
        m_asked.remove(id);
        if (const auto row = m_rowOf.constFind(id); row != m_rowOf.cend()) {
            first = std::min(first, *row);
            last = std::max(last, *row);
        }
    }
    if (last >= 0) {
        Q_EMIT dataChanged(index(first), index(last), {Qt::DecorationRole});
    }
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

QImage ImageListModel::cachedThumbnail(int row) const
{
    if (row < 0 || row >= rowCount()) {
        return {};
    }
    const QImage *cached = m_cache.object(m_images[static_cast<size_t>(row)].id);
    return cached ? *cached : QImage();
}

QImage ImageListModel::thumbnail(int row) const
{
    const qint64 id = m_images[static_cast<size_t>(row)].id;
    if (const QImage *cached = m_cache.object(id)) {
        return *cached;
    }
    if (m_asked.contains(id) || m_unreadable.contains(id)) {
        return {};
    }
    // Ask for the whole page around the row: one query serves the next few hundred paints.
    const int first = std::max(0, row - PageSize / 4);
    const int last = std::min(rowCount() - 1, first + PageSize - 1);
    QList<qint64> ids;
    for (int r = first; r <= last; ++r) {
        const qint64 pageId = m_images[static_cast<size_t>(r)].id;
        if (!m_cache.contains(pageId) && !m_asked.contains(pageId) &&
            !m_unreadable.contains(pageId)) {
            ids << pageId;
            m_asked.insert(pageId);
        }
    }
    m_requestPixels(ids);
    return {};
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
            .arg(!image.label                 ? QString()
                 : image.label->isNotADigit() ? tr(", not a digit")
                                              : tr(", label %1").arg(image.label->text()));
    case ImageIdRole:
        return image.id;
    case StatusRole:
        return static_cast<int>(image.status);
    case LabelRole:
        return image.label ? QVariant(image.label->text()) : QVariant();
    default:
        return {};
    }
}

} // namespace digitdesk::ui
