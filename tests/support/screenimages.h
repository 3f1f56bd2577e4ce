#pragma once

#include <QByteArray>
#include <QHash>
#include <QImage>
#include <QPoint>

#include <vector>

namespace digitdesk::testing {

struct ImageOnScreen
{
    qint64 imageId = 0;
    QPoint topLeft;
};

// Where the given 28x28 grayscale images appear on a screenshot, drawn `factor` times their size
// pixel for pixel (each pixel a factor x factor square of grey): what a person sees, read back
// to image ids. Sorted top to bottom, left to right.
std::vector<ImageOnScreen> findImagesOnScreen(const QImage &screenshot,
                                              const QHash<qint64, QByteArray> &images, int factor);

} // namespace digitdesk::testing
