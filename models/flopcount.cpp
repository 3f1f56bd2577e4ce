#include "models/flopcount.h"

#include "models/private/classifier.h"

#include <torch/types.h>

#include <QElapsedTimer>
#include <QFile>

#include <stdexcept>

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
    const torch::NoGradGuard noGrad;
    const torch::Tensor a = torch::rand({2048, 2048});
    const torch::Tensor b = torch::rand({2048, 2048});
    torch::Tensor c = torch::mm(a, b);
    QElapsedTimer timer;
    timer.start();
    int rounds = 0;
    while (timer.elapsed() < 1000 || rounds < 2) {
        c = torch::mm(a, b);
        ++rounds;
    }
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return rounds * 2.0 * 2048.0 * 2048.0 * 2048.0 / seconds / 1e9;
}

void saveUntrained(Architecture architecture, const QString &path)
{
    if (architecture == Architecture::TorchScript) {
        throw std::runtime_error("a TorchScript network comes from Python, not from here");
    }
    auto classifier =
        architecture == Architecture::DigitNet ? detail::makeDigitNet() : detail::makeExampleNet();
    classifier->setTraining(false);
    classifier->save(QFile::encodeName(path).toStdString());
}

} // namespace digitdesk::models
