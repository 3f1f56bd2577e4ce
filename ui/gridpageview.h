#pragma once

#include "annotation/annotationservice.h"
#include "storage/label.h"

#include <QStringList>
#include <QWidget>

#include <vector>

namespace digitdesk::ui {

// Grid mode: a page of the model's confident answers as tiles, 8 across and 5 down, sorted by
// the model's answer and drawn in one band per answer under a heading ("7 — 38 images"), so a
// wrong answer stands out among the same digit. Tiles are read and moved through in the order
// they are drawn: left to right, then the next row. Arrow keys (or a click) move the focus, a
// digit (or x) corrects the focused tile; the page is accepted whole.
class GridPageView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GridPageView)

public:
    static constexpr int Columns = 8;
    static constexpr int Rows = 5;
    static constexpr int PageSize = Columns * Rows;

    explicit GridPageView(QWidget *parent = nullptr);

    void setPage(const std::vector<annotation::QueueItem> &items);
    bool isEmpty() const { return m_items.empty(); }
    int focusIndex() const { return m_focus; }
    // The image of the tile at `index` in the order drawn; 0 past the page's end.
    qint64 imageIdAt(int index) const;
    // The headings drawn, one per band in order: "7 — 38 images".
    QStringList groupHeadings() const;
    // Moves the focus by the arrow key; false for any other key.
    bool moveFocus(int key);
    void correctFocused(storage::Label label);
    // Each tile's image and answer, in the order drawn.
    std::vector<std::pair<qint64, storage::Label>> answers() const;
    void setContrastStretch(bool on);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    struct Band
    {
        storage::Label answer = storage::Label::notADigit();
        int first = 0;
        int count = 0;
    };

    QRect cellRect(int index) const;
    int bandOf(int index) const;
    QString headingOf(const Band &band) const;
    void paintCell(QPainter &painter, int index) const;

    std::vector<annotation::QueueItem> m_items;
    std::vector<QImage> m_images;
    std::vector<storage::Label> m_answers;
    std::vector<Band> m_bands;
    int m_focus = 0;
    bool m_stretch = false;
};

} // namespace digitdesk::ui
