#pragma once

// What the annotate view's GUI suites read off the screen (the brightest grey drawn, the contrast
// of a text on its background) and the images and palettes they show it.
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/transaction.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QColor>
#include <QImage>
#include <QPalette>
#include <QWidget>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace digitdesk::testing {

// Incoming images without a prediction (so first in the queue) whose ink is at most `level`.
inline std::vector<qint64> addFaintImages(const storage::Workspace &workspace, int count, int level)
{
    storage::ImageRepository images(workspace.db());
    storage::Transaction transaction(workspace.db());
    std::vector<qint64> ids;
    for (int i = 0; i < count; ++i) {
        storage::NewImage image;
        image.pixels = ringPixels(500 + i);
        for (char &pixel : image.pixels) {
            pixel = static_cast<char>(static_cast<uchar>(pixel) * level / 255);
        }
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("faint");
        ids.push_back(images.insert(image, {QStringLiteral("test"), 0, 0}));
    }
    transaction.commit();
    return ids;
}

// The brightest grey of the digit as drawn: the whole multiple of 28 pixels centred in the view.
inline int brightestDrawn(QWidget *view)
{
    const QImage shot = view->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const int side = std::min(shot.width(), shot.height());
    const int drawn = side / 28 * 28;
    const QRect digit((shot.width() - drawn) / 2, (shot.height() - drawn) / 2, drawn, drawn);
    int brightest = 0;
    for (int y = digit.top(); y <= digit.bottom(); ++y) {
        for (int x = digit.left(); x <= digit.right(); ++x) {
            brightest = std::max(brightest, qGray(shot.pixel(x, y)));
        }
    }
    return brightest;
}

inline double luminance(QColor colour)
{
    const auto channel = [](double c) {
        return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) +
           0.0722 * channel(colour.blueF());
}

// WCAG's contrast between the widget's commonest colour (its background) and the colour that
// differs from it most (its text), as drawn.
inline double drawnContrast(QWidget *widget)
{
    const QImage shot = widget->grab().toImage().convertToFormat(QImage::Format_RGB32);
    std::map<QRgb, int> counts;
    for (int y = 0; y < shot.height(); ++y) {
        for (int x = 0; x < shot.width(); ++x) {
            ++counts[shot.pixel(x, y)];
        }
    }
    const QRgb background =
        std::max_element(counts.begin(), counts.end(), [](const auto &a, const auto &b) {
            return a.second < b.second;
        })->first;
    const double back = luminance(QColor(background));
    double best = 1;
    for (const auto &[colour, count] : counts) {
        const double text = luminance(QColor(colour));
        best = std::max(best, (std::max(back, text) + 0.05) / (std::min(back, text) + 0.05));
    }
    return best;
}

inline QPalette darkPalette()
{
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x33, 0x33, 0x33));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe6));
    return dark;
}

} // namespace digitdesk::testing
