#pragma once

#include <QStyledItemDelegate>

namespace digitdesk::ui {

// A tile of a dataset diff: the 28x28 image at 3x in nearest-neighbour pixels (each pixel a
// crisp square, as the network sees it), a strip in the colour of the change and the labels
// ("+ 7", "− 3", "3 → 5").
class DatasetDiffDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetDiffDelegate)

public:
    static constexpr int Scale = 3;
    static constexpr int ImageSide = 28 * Scale;
    static constexpr int TileWidth = ImageSide + 16;
    static constexpr int TileHeight = ImageSide + 34;

    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace digitdesk::ui
