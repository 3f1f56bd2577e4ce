// The CSV reader (a label and 784 pixels per row) on any bytes: items or a clear refusal.
#include "annotation/private/itemstreams.h"
#include "tests/fuzz/fuzzfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = digitdesk::fuzz::writeInput(data, size, QStringLiteral("digits.csv"));
    try {
        digitdesk::annotation::CsvItems items(path, QStringLiteral("fuzz"));
        for (int batch = 0; batch < 1000; ++batch) {
            if (items.next(64, 1 << 20).empty()) {
                break;
            }
        }
    } catch (const std::exception &) {
    }
    return 0;
}
