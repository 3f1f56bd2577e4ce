#pragma once

#include "annotation/annotationservice.h"
#include "storage/label.h"

#include <QWidget>

#include <vector>

class QLabel;

namespace digitdesk::ui {

// Grid mode: a page of the model's confident answers as tiles, 8 across and 5 down. Arrow
// keys move the focus, a digit (or x) corrects the focused tile; the page is accepted whole.
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
    // Moves the focus by the arrow key; false for any other key.
    bool moveFocus(int key);
    void correctFocused(storage::Label label);
    std::vector<std::pair<qint64, storage::Label>> answers() const;

private:
    void paintTile(int index);

    std::vector<annotation::QueueItem> m_items;
    std::vector<storage::Label> m_answers;
    std::vector<QLabel *> m_tiles;
    int m_focus = 0;
};

} // namespace digitdesk::ui
