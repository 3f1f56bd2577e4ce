#include "ui/gridpageview.h"

#include "ui/imagelistmodel.h"
#include "ui/scaledimageview.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace digitdesk::ui {
namespace {

constexpr int MinimumTile = 28;
constexpr int CellPadding = 4;

// The model's answer as the page's first guess; an image it has not seen is "not a digit" until
// the annotator types a digit.
storage::Label modelAnswer(const annotation::QueueItem &item)
{
    return item.predictedLabel >= 0 ? storage::Label::fromDigit(item.predictedLabel)
                                    : storage::Label::notADigit();
}

// Digits in order, "not a digit" (no prediction) last.
int bandOrder(const annotation::QueueItem &item)
{
    return item.predictedLabel >= 0 ? item.predictedLabel : 10;
}

QColor blend(const QColor &base, const QColor &tint, double share)
{
    return QColor::fromRgbF(static_cast<float>(base.redF() * (1 - share) + tint.redF() * share),
                            static_cast<float>(base.greenF() * (1 - share) + tint.greenF() * share),
                            static_cast<float>(base.blueF() * (1 - share) + tint.blueF() * share));
}

} // namespace

GridPageView::GridPageView(QWidget *parent) : QWidget(parent)
{
    // The annotate view keeps the keys: a click picks a tile, it never takes the focus.
    setFocusPolicy(Qt::NoFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void GridPageView::setPage(const std::vector<annotation::QueueItem> &items)
{
    m_items = items;
    // Stable: within a band the queue's order (most confident first) stays.
    std::stable_sort(m_items.begin(), m_items.end(),
                     [](const annotation::QueueItem &a, const annotation::QueueItem &b) {
                         return bandOrder(a) < bandOrder(b);
                     });
    m_answers.clear();
    m_images.clear();
    m_bands.clear();
    for (size_t i = 0; i < m_items.size(); ++i) {
        const storage::Label answer = modelAnswer(m_items[i]);
        m_answers.push_back(answer);
        m_images.push_back(ImageListModel::toImage(m_items[i].pixels));
        if (m_bands.empty() || m_bands.back().answer != answer) {
            m_bands.push_back({answer, static_cast<int>(i), 0});
        }
        ++m_bands.back().count;
    }
    m_focus = 0;
    update();
}

qint64 GridPageView::imageIdAt(int index) const
{
    return index >= 0 && index < static_cast<int>(m_items.size())
               ? m_items[static_cast<size_t>(index)].imageId
               : 0;
}

QString GridPageView::headingOf(const Band &band) const
{
    const QString answer = band.answer.isDigit() ? band.answer.text() : tr("Not a digit");
    return band.count == 1 ? tr("%1 — 1 image").arg(answer)
                           : tr("%1 — %2 images").arg(answer).arg(band.count);
}

QStringList GridPageView::groupHeadings() const
{
    QStringList headings;
    for (const Band &band : m_bands) {
        headings << headingOf(band);
    }
    return headings;
}

int GridPageView::bandOf(int index) const
{
    for (size_t b = 0; b < m_bands.size(); ++b) {
        if (index >= m_bands[b].first && index < m_bands[b].first + m_bands[b].count) {
            return static_cast<int>(b);
        }
    }
    return -1;
}

QSize GridPageView::sizeHint() const
{
    const int caption = fontMetrics().height();
    return {Columns * (84 + 2 * CellPadding), Rows * (84 + 2 * caption + 2 * CellPadding)};
}

QSize GridPageView::minimumSizeHint() const
{
    const int caption = fontMetrics().height();
    return {Columns * (MinimumTile + 2 * CellPadding),
            Rows * (MinimumTile + 2 * caption + 2 * CellPadding)};
}

QRect GridPageView::cellRect(int index) const
{
    const int cellWidth = width() / Columns;
    const int cellHeight = height() / Rows;
    // The grid centred: a wide window leaves equal margins, not one on the right.
    const int left = (width() - cellWidth * Columns) / 2;
    return {left + (index % Columns) * cellWidth, (index / Columns) * cellHeight, cellWidth,
            cellHeight};
}

void GridPageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    for (int i = 0; i < static_cast<int>(m_items.size()); ++i) {
        paintCell(painter, i);
    }
}

void GridPageView::paintCell(QPainter &painter, int index) const
{
    const QRect cell = cellRect(index);
    const int band = bandOf(index);
    const Band &group = m_bands[static_cast<size_t>(band)];
    const QPalette &colours = palette();
    // Bands alternate between the window's base and a tint of its highlight, in light and dark
    // palettes alike.
    painter.fillRect(cell, band % 2 == 0 ? colours.color(QPalette::Base)
                                         : blend(colours.color(QPalette::Base),
                                                 colours.color(QPalette::Highlight), 0.22));
    const int caption = fontMetrics().height();
    // The heading where a band starts, and where it carries on at the start of a row.
    const bool startsBand = index == group.first;
    if (startsBand || index % Columns == 0) {
        const int lastInRow =
            std::min(group.first + group.count - 1, (index / Columns) * Columns + Columns - 1);
        const QRect span = cellRect(index).united(cellRect(lastInRow)).adjusted(4, 0, -2, 0);
        QFont font = painter.font();
        font.setBold(startsBand);
        painter.setFont(font);
        painter.setPen(colours.color(QPalette::Text));
        const QString heading =
            startsBand ? headingOf(group)
                       : (group.answer.isDigit() ? group.answer.text() : tr("Not a digit")) +
                             QStringLiteral(" …");
        painter.drawText(QRect(span.left(), cell.top(), span.width(), caption),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         painter.fontMetrics().elidedText(heading, Qt::ElideRight, span.width()));
    }
    if (startsBand && index % Columns != 0) {
        painter.fillRect(QRect(cell.left(), cell.top(), 2, cell.height()),
                         colours.color(QPalette::Text));
    }

    const int room = std::min(cell.width(), cell.height() - 2 * caption) - 3 * CellPadding;
    // Whole multiples of 28 pixels keep every pixel an equal square.
    const int side = room >= MinimumTile ? room / MinimumTile * MinimumTile : std::max(room, 8);
    const QRect tile(cell.left() + (cell.width() - side) / 2, cell.top() + caption + CellPadding,
                     side, side);
    const QImage &image = m_images[static_cast<size_t>(index)];
    painter.fillRect(tile, Qt::black);
    painter.drawImage(tile, m_stretch ? stretchContrast(image) : image);

    const storage::Label answer = m_answers[static_cast<size_t>(index)];
    const bool corrected = answer != modelAnswer(m_items[static_cast<size_t>(index)]);
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QRect answerRect(cell.left(), tile.bottom() + 1, cell.width(), caption);
    if (corrected) {
        // White on deep red reads on any palette.
        const QRect pill =
            answerRect.adjusted(cell.width() / 2 - caption, 1, -(cell.width() / 2 - caption), -1);
        painter.fillRect(pill, QColor(0xb0, 0x00, 0x20));
        painter.setPen(Qt::white);
    } else {
        painter.setPen(colours.color(QPalette::Text));
    }
    painter.drawText(answerRect, Qt::AlignCenter, answer.text());
    if (index == m_focus) {
        painter.setPen(QPen(colours.color(QPalette::Highlight), 3));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(tile.adjusted(-3, -3, 2, 2));
    }
}

void GridPageView::mousePressEvent(QMouseEvent *event)
{
    for (int i = 0; i < static_cast<int>(m_items.size()); ++i) {
        if (cellRect(i).contains(event->position().toPoint())) {
            m_focus = i;
            update();
            event->accept();
            return;
        }
    }
    QWidget::mousePressEvent(event);
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
        m_focus = next;
        update();
    }
    return true;
}

void GridPageView::correctFocused(storage::Label label)
{
    if (m_focus < static_cast<int>(m_items.size())) {
        m_answers[static_cast<size_t>(m_focus)] = label;
        update();
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

void GridPageView::setContrastStretch(bool on)
{
    m_stretch = on;
    update();
}

} // namespace digitdesk::ui
