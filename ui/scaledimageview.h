#pragma once

#include <QImage>
#include <QWidget>

namespace digitdesk::ui {

// An image drawn centred and as large as the widget allows, keeping its aspect ratio, so a view
// grows and shrinks with its window instead of overlapping or cutting the picture. Digits are
// drawn with nearest-neighbour scaling at whole multiples (each pixel a sharp square), scans
// smoothly.
class ScaledImageView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScaledImageView)

public:
    enum class Scaling
    {
        Pixelated,
        Smooth
    };

    ScaledImageView(Scaling scaling, int preferredSide, int minimumSide, QWidget *parent = nullptr);

    void setImage(const QImage &image);
    // Spreads the grey levels over black to white (faint scans); kept for every image after.
    void setContrastStretch(bool on);
    bool contrastStretch() const { return m_stretch; }
    // Off: never drawn larger than the image is (a scan at its own resolution), only smaller.
    void setUpscaling(bool on);
    // Shown, centred, while there is no image.
    void setPlaceholderText(const QString &text);
    void clear();
    const QImage &image() const { return m_image; }
    QString placeholderText() const { return m_placeholder; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Scaling m_scaling;
    int m_preferredSide;
    int m_minimumSide;
    QImage m_image;
    QImage m_shown;  // m_image as drawn: stretched when asked
    QImage m_scaled; // m_image at the size last painted: a large scan is scaled once, not per paint
    QString m_placeholder;
    bool m_stretch = false;
    bool m_upscale = true;
};

// The image in greys with its darkest level at black and its brightest at white; the image
// unchanged when it has one level only.
QImage stretchContrast(const QImage &image);

} // namespace digitdesk::ui
