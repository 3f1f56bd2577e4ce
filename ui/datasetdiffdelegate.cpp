#include "ui/datasetdiffdelegate.h"

#include "ui/datasetdifflistmodel.h"

#include <QPainter>

namespace digitdesk::ui {
namespace {

QColor kindColour(DatasetDiffEntry::Kind kind)
{
    switch (kind) {
    case DatasetDiffEntry::Kind::Added:
        return {0x16, 0xa3, 0x4a};
    case DatasetDiffEntry::Kind::Removed:
        return {0xb0, 0x00, 0x20};
    case DatasetDiffEntry::Kind::Relabelled:
        return {0xf5, 0x9e, 0x0b};
    }
    return Qt::gray;
}

QString tileText(const QModelIndex &index, DatasetDiffEntry::Kind kind)
{
    const QString before = index.data(DatasetDiffListModel::BeforeRole).toString();
    const QString after = index.data(DatasetDiffListModel::AfterRole).toString();
    switch (kind) {
    case DatasetDiffEntry::Kind::Added:
        return QStringLiteral("+ %1").arg(after);
    case DatasetDiffEntry::Kind::Removed:
        return QStringLiteral("− %1").arg(before);
    case DatasetDiffEntry::Kind::Relabelled:
        return QStringLiteral("%1 → %2").arg(before, after);
    }
    return {};
}

} // namespace

void DatasetDiffDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    painter->save();
    const QRect tile = option.rect.adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    painter->fillRect(tile, selected ? option.palette.highlight() : option.palette.base());

    const QRect imageRect(tile.left() + (tile.width() - ImageSide) / 2, tile.top() + 4, ImageSide,
                          ImageSide);
    const QImage image = index.data(Qt::DecorationRole).value<QImage>();
    if (image.isNull()) {
        painter->fillRect(imageRect, Qt::black);
    } else {
        // Whole multiples with no smoothing: every source pixel becomes a Scale x Scale square.
        painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter->drawImage(imageRect, image);
    }
    const auto kind =
        static_cast<DatasetDiffEntry::Kind>(index.data(DatasetDiffListModel::KindRole).toInt());
    painter->fillRect(QRect(tile.left(), imageRect.bottom() + 3, tile.width(), 3),
                      kindColour(kind));
    painter->setPen(selected ? option.palette.highlightedText().color()
                             : option.palette.text().color());
    painter->drawText(QRect(tile.left(), imageRect.bottom() + 6, tile.width(),
                            tile.bottom() - imageRect.bottom() - 6),
                      Qt::AlignCenter, tileText(index, kind));
    if (option.state & QStyle::State_HasFocus) {
        painter->setPen(QPen(option.palette.highlight().color(), 2));
        painter->drawRect(tile.adjusted(1, 1, -1, -1));
    }
    painter->restore();
}

QSize DatasetDiffDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const
{
    return {TileWidth, TileHeight};
}

} // namespace digitdesk::ui
