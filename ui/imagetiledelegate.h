#pragma once

#include "storage/imagerepository.h"

#include <QStyledItemDelegate>

namespace digitdesk::ui {

// A tile of the image grid: the digit at 2x, a coloured strip for its status and its label.
class ImageTileDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageTileDelegate)

public:
    static constexpr int ImageSide = 56;
    static constexpr int TileWidth = 72;
    static constexpr int TileHeight = 84;

    using QStyledItemDelegate::QStyledItemDelegate;
    static QColor statusColour(storage::ImageStatus status);
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace digitdesk::ui
