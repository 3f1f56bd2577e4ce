#include "ui/scaledimageview.h"

#include <QPainter>

#include <algorithm>

namespace digitdesk::ui {

QImage stretchContrast(const QImage &image)
{
    if (image.isNull()) {
        return image;
    }
    QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    int lowest = 255;
    int highest = 0;
    for (int y = 0; y < grey.height(); ++y) {
        const uchar *line = grey.constScanLine(y);
        for (int x = 0; x < grey.width(); ++x) {
            lowest = std::min<int>(lowest, line[x]);
            highest = std::max<int>(highest, line[x]);
        }
    }
    if (highest <= lowest) {
        return image;
    }
    for (int y = 0; y < grey.height(); ++y) {
        uchar *line = grey.scanLine(y);
        for (int x = 0; x < grey.width(); ++x) {
            line[x] = static_cast<uchar>((line[x] - lowest) * 255 / (highest - lowest));
        }
    }
    return grey;
}

ScaledImageView::ScaledImageView(Scaling scaling, int preferredSide, int minimumSide,
                                 QWidget *parent)
    : QWidget(parent), m_scaling(scaling), m_preferredSide(preferredSide),
      m_minimumSide(minimumSide)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ScaledImageView::setImage(const QImage &image)
{
    // A scan may have tens of megapixels; twice the preferred size is all it is ever shown at.
    const int keep = 2 * m_preferredSide;
    m_image = m_scaling == Scaling::Smooth && (image.width() > keep || image.height() > keep)
                  ? image.scaled(keep, keep, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                  : image;
    m_shown = m_stretch ? stretchContrast(m_image) : m_image;
    m_scaled = {};
    m_placeholder.clear();
    update();
}

void ScaledImageView::setContrastStretch(bool on)
{
    if (on == m_stretch) {
        return;
    }
    m_stretch = on;
    m_shown = m_stretch ? stretchContrast(m_image) : m_image;
    m_scaled = {};
    update();
}

void ScaledImageView::setUpscaling(bool on)
{
    m_upscale = on;
    m_scaled = {};
    update();
}

void ScaledImageView::setPlaceholderText(const QString &text)
{
    m_image = {};
    m_shown = {};
    m_scaled = {};
    m_placeholder = text;
    update();
}

void ScaledImageView::clear()
{
    m_image = {};
    m_shown = {};
    m_scaled = {};
    m_placeholder.clear();
    update();
}

QSize ScaledImageView::sizeHint() const
{
    // Growing into whatever room there is, it asks for no more than its minimum: a scroll area
    // sizes its view to the preferred height for the width, which would otherwise outgrow the
    // window.
    if (sizePolicy().verticalPolicy() == QSizePolicy::Expanding) {
        return minimumSizeHint();
    }
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
    if (!m_upscale && fitted.width() > m_image.width()) {
        fitted = m_image.size();
    }
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
        m_scaled = m_shown.scaled(fitted, Qt::IgnoreAspectRatio,
                                  m_scaling == Scaling::Smooth ? Qt::SmoothTransformation
                                                               : Qt::FastTransformation);
    }
    painter.drawImage(target.topLeft(), m_scaled);
}

} // namespace digitdesk::ui
