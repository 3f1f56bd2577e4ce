#pragma once

// Whether text is legible as it is drawn: the WCAG 2 contrast ratio (computed here, not by the
// code under test) of a label's text with the background it is rendered on.

#include <QColor>
#include <QHash>
#include <QImage>
#include <QLabel>
#include <QString>

#include <algorithm>
#include <cmath>

namespace digitdesk::testing {

inline double relativeLuminance(const QColor &color)
{
    const auto linear = [](double c) {
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) +
           0.0722 * linear(color.blueF());
}

// 1 (none) to 21 (black on white); WCAG AA asks 4.5 for body text.
inline double contrastRatio(const QColor &a, const QColor &b)
{
    const double first = relativeLuminance(a);
    const double second = relativeLuminance(b);
    return (std::max(first, second) + 0.05) / (std::min(first, second) + 0.05);
}

// The colour most of the image is painted in: the background text is read against.
inline QColor dominantColour(const QImage &image)
{
    QHash<QRgb, int> counts;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            ++counts[image.pixel(x, y)];
        }
    }
    QRgb most = 0;
    int best = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > best) {
            best = it.value();
            most = it.key();
        }
    }
    return QColor::fromRgb(most);
}

// The label's text against what is behind it: the background sampled from the window as
// rendered where the label is (its parents' background included), the text colour from the
// label's computed palette (a style sheet's `color` ends up there), and no more than the
// contrast of the most distinct pixel actually drawn (with some room for antialiasing), so a
// palette colour that is not what is painted cannot pass. `what` says what was measured.
inline double renderedContrast(QLabel *label, QString *what)
{
    label->ensurePolished();
    const QImage image =
        label->window()
            ->grab(QRect(label->mapTo(label->window(), QPoint(0, 0)), label->size()))
            .toImage()
            .convertToFormat(QImage::Format_RGB32);
    const QColor background = dominantColour(image);
    const QColor text = label->palette().color(label->foregroundRole());
    double drawn = 1.0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            drawn = std::max(drawn, contrastRatio(QColor::fromRgb(image.pixel(x, y)), background));
        }
    }
    *what = QStringLiteral("%1: text %2 on %3 (most distinct pixel drawn: %4:1)")
                .arg(label->objectName(), text.name(), background.name())
                .arg(drawn, 0, 'f', 1);
    return std::min(contrastRatio(text, background), drawn * 1.15);
}

} // namespace digitdesk::testing
