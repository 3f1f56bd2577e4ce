#include "ui/confusionheatmap.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

constexpr int Classes = 10;
constexpr int Margin = 22; // room for the class numbers on the left and on top

} // namespace

ConfusionHeatmap::ConfusionHeatmap(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionHeatmap::setMatrix(const Matrix &matrix, const QString &title)
{
    m_matrix = matrix;
    m_title = title;
    setToolTip(tr("%1: rows are the approved label, columns the model's answer; shading is the "
                  "share of the row.")
                   .arg(title));
    update();
}

QSize ConfusionHeatmap::sizeHint() const
{
    return {Margin + Classes * 34, Margin * 2 + Classes * 24};
}

QSize ConfusionHeatmap::minimumSizeHint() const
{
    return {Margin + Classes * 22, Margin * 2 + Classes * 16};
}

void ConfusionHeatmap::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    painter.setPen(palette().text().color());
    const QRect titleRect(0, 0, width(), Margin);
    painter.drawText(titleRect, Qt::AlignCenter, m_title);
    const int side = std::min((width() - Margin) / Classes, (height() - 2 * Margin) / Classes);
    if (side <= 0) {
        return;
    }
    const int left = Margin;
    const int top = 2 * Margin;
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    painter.setFont(small);
    for (int c = 0; c < Classes; ++c) {
        painter.setPen(palette().text().color());
        painter.drawText(QRect(left + c * side, Margin, side, Margin), Qt::AlignCenter,
                         QString::number(c));
        painter.drawText(QRect(0, top + c * side, Margin, side), Qt::AlignCenter,
                         QString::number(c));
    }
    for (int row = 0; row < Classes; ++row) {
        int total = 0;
        for (int value : m_matrix[static_cast<size_t>(row)]) {
            total += value;
        }
        for (int column = 0; column < Classes; ++column) {
            const int value = m_matrix[static_cast<size_t>(row)][static_cast<size_t>(column)];
            const double share = total > 0 ? static_cast<double>(value) / total : 0.0;
            const QColor hue = row == column ? QColor(46, 125, 50) : QColor(176, 0, 32);
            QColor fill = hue;
            // Mistakes are rare: a square root makes a 2% confusion visible, not near-white.
            fill.setAlphaF(static_cast<float>(
                value == 0 ? 0.0 : std::clamp(0.12 + 0.88 * std::sqrt(share), 0.0, 1.0)));
            const QRect cell(left + column * side, top + row * side, side - 1, side - 1);
            painter.fillRect(cell, palette().base());
            painter.fillRect(cell, fill);
            if (value > 0) {
                painter.setPen(fill.alphaF() > 0.55 ? Qt::white : palette().text().color());
                painter.drawText(cell, Qt::AlignCenter, QString::number(value));
            }
        }
    }
}

} // namespace digitdesk::ui
