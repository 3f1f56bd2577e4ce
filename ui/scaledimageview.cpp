#include "ui/scaledimageview.h"

#include <QPainter>

#include <algorithm>

namespace digitdesk::ui {
ScaledImageView::ScaledImageView(Scaling scaling, int preferredSide, int minimumSide,
                                 QWidget *parent)
    : QWidget(parent), m_scaling(scaling), m_preferredSide(preferredSide),
      m_minimumSide(minimumSide)
{
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void ScaledImageView::setImage(const QImage &image)
{
    // A scan may have tens of megapixels; twice the preferred size is all it is ever shown at.
    const int keep = 2 * m_preferredSide;
    m_image = m_scaling == Scaling::Smooth && (image.width() > keep || image.height() > keep)
                  ? image.scaled(keep, keep, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                  : image;
    m_scaled = {};
    m_placeholder.clear();
    update();
}

void ScaledImageView::setPlaceholderText(const QString &text)
{
    m_image = {};
    m_scaled = {};
    m_placeholder = text;
    update();
}

void ScaledImageView::clear()
{
    m_image = {};
    m_scaled = {};
    m_placeholder.clear();
    update();
}

QSize ScaledImageView::sizeHint() const
{
    return {m_preferredSide, m_preferredSide};
}

QSize ScaledImageView::minimumSizeHint() const
{
    return {m_minimumSide, m_minimumSide};
}

void ScaledImageView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const int side = std::min(width(), height());
    const QRect square((width() - side) / 2, (height() - side) / 2, side, side);
    if (m_scaling == Scaling::Pixelated) {
        painter.fillRect(square, Qt::black);
    }
    if (m_image.isNull()) {
        if (!m_placeholder.isEmpty()) {
            painter.setPen(m_scaling == Scaling::Pixelated
                               ? QColor(0xbb, 0xbb, 0xbb)
                               : palette().color(QPalette::PlaceholderText));
            painter.drawText(square.adjusted(4, 4, -4, -4), Qt::AlignCenter | Qt::TextWordWrap,
                             m_placeholder);
        }
        return;
    }
    QSize fitted = m_image.size().scaled(square.size(), Qt::KeepAspectRatio);
    if (m_scaling == Scaling::Pixelated && m_image.width() > 0 &&
        fitted.width() >= m_image.width()) {
        // Whole multiples of the image's size, so every pixel becomes an equal square.
        const int factor = fitted.width() / m_image.width();
        fitted = m_image.size() * factor;
    }
    const QRect target(square.left() + (square.width() - fitted.width()) / 2,
                       square.top() + (square.height() - fitted.height()) / 2, fitted.width(),
                       fitted.height());
    if (m_scaled.size() != fitted) {
        m_scaled = m_image.scaled(fitted, Qt::IgnoreAspectRatio,
                                  m_scaling == Scaling::Smooth ? Qt::SmoothTransformation
                                                               : Qt::FastTransformation);
    }
    painter.drawImage(target.topLeft(), m_scaled);
}

} // namespace digitdesk::ui
