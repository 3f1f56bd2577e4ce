#pragma once

#include <QImage>
#include <QWidget>

namespace digitdesk::ui {

// An image drawn as large as the widget allows, keeping its aspect ratio, so a view shrinks
// with its window instead of overlapping or cutting the picture. Digits are drawn with
// nearest-neighbour scaling (each pixel a sharp square), scans smoothly.
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
    // Shown, centred, while there is no image.
    void setPlaceholderText(const QString &text);
    void clear();
    const QImage &image() const { return m_image; }
    QString placeholderText() const { return m_placeholder; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Scaling m_scaling;
    int m_preferredSide;
    int m_minimumSide;
    QImage m_image;
    QImage m_scaled; // m_image at the size last painted: a large scan is scaled once, not per paint
    QString m_placeholder;
};

} // namespace digitdesk::ui
