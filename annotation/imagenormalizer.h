#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::annotation {

struct NormalizedImage
{
    static constexpr int Side = 28;
    static constexpr int PixelCount = Side * Side;

    QByteArray pixels;     // 28x28 row-major, white ink (255) on black (0); empty on error
    bool inverted = false; // the source was dark ink on light paper
    QString error;
    bool ok() const { return error.isEmpty(); }
};

// Brings a scan to MNIST form with OpenCV: grayscale, polarity made white-on-black, cropped to
// the ink, fitted into 20x20 keeping the aspect ratio, and placed in 28x28 with its centre of
// mass at (14, 14). A 28x28 8-bit grayscale image on dark paper is MNIST form already and is
// kept as it is.
class ImageNormalizer final
{
public:
    static constexpr qint64 MaxPixels = 50'000'000;

    // Decodes PNG, JPEG, BMP or TIFF bytes; the size is checked from the header first.
    static NormalizedImage fromEncoded(const QByteArray &bytes);
    // As above with a lower limit (the endpoint's, since a client chooses what it sends).
    static NormalizedImage fromEncoded(const QByteArray &bytes, qint64 maxPixels);
    // From 8-bit grayscale pixels (`stride` bytes per row).
    static NormalizedImage fromGray(const unsigned char *data, int width, int height, int stride);
};

} // namespace digitdesk::annotation
