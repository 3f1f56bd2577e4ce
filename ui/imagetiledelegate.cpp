#include "ui/imagetiledelegate.h"

#include "storage/imagerepository.h"
#include "ui/imagelistmodel.h"

#include <QApplication>
#include <QPainter>

namespace digitdesk::ui {
QColor ImageTileDelegate::statusColour(storage::ImageStatus status)
{
    switch (status) {
    case storage::ImageStatus::Incoming:
        return {0x9e, 0x9e, 0x9e};
    case storage::ImageStatus::Labelled:
        return {0xf5, 0x9e, 0x0b};
    case storage::ImageStatus::Approved:
        return {0x16, 0xa3, 0x4a};
    }
    return Qt::gray;
}

void ImageTileDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
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
        painter->drawImage(imageRect, image);
    }
    painter->fillRect(QRect(tile.left(), imageRect.bottom() + 3, tile.width(), 3),
                      statusColour(static_cast<storage::ImageStatus>(
                          index.data(ImageListModel::StatusRole).toInt())));

    const QVariant label = index.data(ImageListModel::LabelRole);
    const QString text = label.isValid() ? label.toString() : QStringLiteral("–");
    painter->setPen(selected ? option.palette.highlightedText().color()
                             : option.palette.text().color());
    painter->drawText(QRect(tile.left(), imageRect.bottom() + 6, tile.width(),
                            tile.bottom() - imageRect.bottom() - 6),
                      Qt::AlignCenter, text);
    if (option.state & QStyle::State_HasFocus) {
        painter->setPen(QPen(option.palette.highlight().color(), 2));
        painter->drawRect(tile.adjusted(1, 1, -1, -1));
    }
    painter->restore();
}

QSize ImageTileDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const
{
    return {TileWidth, TileHeight};
}

} // namespace digitdesk::ui
