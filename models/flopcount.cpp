#include "models/flopcount.h"

#include "models/private/backend.h"

namespace digitdesk::models {
namespace {

double conv(int side, int in, int out, int kernel)
{
    return 2.0 * side * side * out * in * kernel * kernel;
}

double linear(int in, int out)
{
    return 2.0 * in * out;
}

} // namespace

double flopsPerImage(Architecture architecture)
{
    switch (architecture) {
    case Architecture::DigitNet:
        return conv(28, 1, 16, 5) + conv(14, 16, 32, 3) + conv(7, 32, 48, 3) + linear(432, 10);
    case Architecture::ExampleNet:
        return conv(26, 1, 32, 3) + conv(24, 32, 64, 3) + linear(9216, 128) + linear(128, 10);
    case Architecture::TorchScript:
        break;
    }
    return 0;
}

double measurePeakGflops()
{
    return detail::backend().measurePeakGflops();
}

void saveUntrained(Architecture architecture, const QString &path)
{
    detail::backend().saveUntrained(architecture, path);
}

} // namespace digitdesk::models
