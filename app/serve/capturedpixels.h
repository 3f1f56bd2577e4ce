#pragma once

#include "models/evaluation.h"

#include <QByteArray>

#include <cmath>

namespace digitdesk::app {

// One image as the model saw it (784 floats in 0..1) as the workspace stores it: 784 bytes.
inline QByteArray storedPixels(const float *image)
{
    QByteArray pixels(models::PixelCount, Qt::Uninitialized);
    for (int p = 0; p < models::PixelCount; ++p) {
        pixels[p] = static_cast<char>(static_cast<unsigned char>(std::lround(image[p] * 255.0F)));
    }
    return pixels;
}

} // namespace digitdesk::app
