// The image header reader (PNG, JPEG, TIFF... dimensions before any decoding) on any bytes.
#include "annotation/imageheader.h"

#include <QByteArray>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        digitdesk::annotation::readImageHeader(QByteArray::fromRawData(
            reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)));
    } catch (const std::exception &) {
    }
    return 0;
}
