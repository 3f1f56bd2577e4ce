#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::annotation {

struct ImageHeader
{
    QString format; // "png", "jpeg", "bmp", "tiff"; empty when not recognised
    qint64 width = 0;
    qint64 height = 0;
    QString error; // why the header could not be read
    bool ok() const { return error.isEmpty(); }
};

// Reads the dimensions from the header alone, so an image too large to decode safely is
// refused before any decoder allocates memory for it.
ImageHeader readImageHeader(const QByteArray &bytes);

} // namespace digitdesk::annotation
