#include "models/torch/torchbackend.h"

#include "models/torch/classifier.h"

#include <torch/types.h>

#include <QElapsedTimer>
#include <QFile>

#include <stdexcept>

namespace digitdesk::models::detail {

double TorchBackend::measurePeakGflops()
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

void TorchBackend::saveUntrained(Architecture architecture, const QString &path)
{
    if (architecture == Architecture::TorchScript) {
        throw std::runtime_error("a TorchScript network comes from Python, not from here");
    }
    auto classifier = architecture == Architecture::DigitNet ? makeDigitNet() : makeExampleNet();
    classifier->setTraining(false);
    classifier->save(QFile::encodeName(path).toStdString());
}

} // namespace digitdesk::models::detail

void *digitdesk_torch_backend(int abi)
{
    if (abi != digitdesk::models::detail::BackendAbi) {
        return nullptr;
    }
    static digitdesk::models::detail::TorchBackend backend;
    return static_cast<digitdesk::models::detail::Backend *>(&backend);
}
