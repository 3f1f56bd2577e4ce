// The IDX reader on any bytes, as a raw file and as a .gz (the first byte chooses): it must
// refuse with ImportError or read within its limits, never crash or allocate what a header
// claims.
#include "annotation/idxfile.h"
#include "annotation/private/idxreader.h"
#include "tests/fuzz/fuzzfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const bool gzip = (data[0] & 1) != 0;
    const QString path = digitdesk::fuzz::writeInput(data + 1, size - 1,
                                                     gzip ? QStringLiteral("x-images-idx3-ubyte.gz")
                                                          : QStringLiteral("x-images-idx3-ubyte"));
    try {
        digitdesk::annotation::IdxReader::verify(path);
        digitdesk::annotation::IdxReader reader(path);
        while (reader.itemsRead() < reader.itemCount()) {
            if (reader.readItems(64).isEmpty()) {
                break;
            }
        }
        reader.expectEnd();
    } catch (const std::exception &) {
        // Refused with a reason: what a bad file must get.
    }
    return 0;
}
