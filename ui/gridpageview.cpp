#include "ui/gridpageview.h"

#include "ui/imagelistmodel.h"

#include <QGridLayout>
#include <QLabel>
#include <QPainter>

namespace digitdesk::ui {
namespace {

constexpr int TileImage = 64;

// The model's answer as the page's first guess; an image it has not seen is "not a digit" until
// the annotator types a digit.
storage::Label modelAnswer(const annotation::QueueItem &item)
{
    return item.predictedLabel >= 0 ? storage::Label::fromDigit(item.predictedLabel)
                                    : storage::Label::notADigit();
}

} // namespace

GridPageView::GridPageView(QWidget *parent) : QWidget(parent)
{
    auto *grid = new QGridLayout(this);
    grid->setSpacing(6);
    for (int i = 0; i < PageSize; ++i) {
        auto *tile = new QLabel(this);
        tile->setFixedSize(TileImage + 8, TileImage + 26);
        tile->setAlignment(Qt::AlignCenter);
        m_tiles.push_back(tile);
        grid->addWidget(tile, i / Columns, i % Columns);
    }
}

void GridPageView::setPage(const std::vector<annotation::QueueItem> &items)
{
    m_items = items;
    m_answers.clear();
    for (const annotation::QueueItem &item : m_items) {
        m_answers.push_back(modelAnswer(item));
    }
    m_focus = 0;
    for (int i = 0; i < PageSize; ++i) {
        paintTile(i);
    }
}

void GridPageView::paintTile(int index)
{
    QLabel *tile = m_tiles[static_cast<size_t>(index)];
    if (index >= static_cast<int>(m_items.size())) {
        tile->clear();
        tile->setStyleSheet({});
        return;
    }
    const annotation::QueueItem &item = m_items[static_cast<size_t>(index)];
    const storage::Label answer = m_answers[static_cast<size_t>(index)];
    const bool corrected = answer != modelAnswer(item);
    QPixmap pixmap(TileImage + 4, TileImage + 22);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.drawImage(QRect(2, 2, TileImage, TileImage), ImageListModel::toImage(item.pixels));
    painter.setPen(corrected ? QColor(0xb0, 0x00, 0x20) : palette().text().color());
    QFont font = painter.font();
    font.setBold(true);
    font.setPointSize(12);
    painter.setFont(font);
    painter.drawText(QRect(0, TileImage + 2, TileImage + 4, 20), Qt::AlignCenter, answer.text());
    painter.end();
    tile->setPixmap(pixmap);
    tile->setStyleSheet(index == m_focus ? QStringLiteral("border: 3px solid #1677ff;")
                                         : QStringLiteral("border: 3px solid transparent;"));
}

bool GridPageView::moveFocus(int key)
{
    int next = m_focus;
    switch (key) {
    case Qt::Key_Left:
        next -= 1;
        break;
    case Qt::Key_Right:
        next += 1;
        break;
    case Qt::Key_Up:
        next -= Columns;
        break;
    case Qt::Key_Down:
        next += Columns;
        break;
    default:
        return false;
    }
    if (next >= 0 && next < static_cast<int>(m_items.size())) {
        const int previous = m_focus;
        m_focus = next;
        paintTile(previous);
        paintTile(m_focus);
    }
    return true;
}

void GridPageView::correctFocused(storage::Label label)
{
    if (m_focus < static_cast<int>(m_items.size())) {
        m_answers[static_cast<size_t>(m_focus)] = label;
        paintTile(m_focus);
    }
}

std::vector<std::pair<qint64, storage::Label>> GridPageView::answers() const
{
    std::vector<std::pair<qint64, storage::Label>> result;
    for (size_t i = 0; i < m_items.size(); ++i) {
        result.emplace_back(m_items[i].imageId, m_answers[i]);
    }
    return result;
}

} // namespace digitdesk::ui
