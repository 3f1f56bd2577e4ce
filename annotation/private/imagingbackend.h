#pragma once

#include "annotation/imagenormalizer.h"

#include <QByteArray>
#include <QString>

// What the OpenCV module (annotation/imaging/, libdigitdesk_imaging.so) does for
// ImageNormalizer and the dataset PNG codec. Plain C++ and Qt Core only: both sides are built
// from the same sources with one libstdc++, so these types cross the boundary as they are.
namespace digitdesk::annotation::detail {

// Bump whenever this header changes: a module built from other sources is refused at load.
inline constexpr int ImagingAbi = 2;

class ImagingBackend
{
public:
    virtual ~ImagingBackend() = default;
    // `bytes` is an image whose header was read and checked (format, size, limits) first.
    virtual NormalizedImage normalizeEncoded(const QByteArray &bytes, const QString &format) = 0;
    virtual NormalizedImage normalizeGray(const unsigned char *data, int width, int height,
                                          int stride) = 0;
    virtual QByteArray encodeDatasetPng(const QByteArray &pixels) = 0;
    // `png`'s header says a 28x28 PNG; answers its 784 pixels, or empty with `error` set.
    virtual QByteArray decodeDatasetPng(const QByteArray &png, QString *error) = 0;
    // OpenCV's version as the module runs it ("4.6.0").
    virtual QString opencvVersion() = 0;
};

// The module, loaded at the first image to decode or encode (annotation/imagingloader.cpp);
// throws std::runtime_error naming the module and where it was looked for when it cannot be
// loaded.
ImagingBackend &imaging();

} // namespace digitdesk::annotation::detail

// The module's one exported symbol: its backend, or nullptr when `abi` is not ImagingAbi.
extern "C" __attribute__((visibility("default"))) void *digitdesk_imaging_backend(int abi);
