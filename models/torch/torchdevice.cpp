#include "models/torch/torchbackend.h"

#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/version.h>

#include <ATen/Parallel.h>

#include <stdexcept>
#include <thread>

namespace digitdesk::models::detail {

void TorchBackend::setIntraOpThreads(int threads)
{
    if (threads <= 0) {
        threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    }
    at::set_num_threads(threads);
}

ComputeDevice TorchBackend::chooseDevice(DeviceRequest request)
{
    const bool available = torch::cuda::is_available();
    if (request == DeviceRequest::Cuda && !available) {
        throw std::runtime_error(
            torch::cuda::device_count() == 0 && !at::hasCUDA()
                ? "cuda was asked for, but this LibTorch was built without CUDA; use --device cpu "
                  "or auto"
                : "cuda was asked for, but no CUDA GPU is present; use --device cpu or auto");
    }
    if (request != DeviceRequest::Cpu && available) {
        return {true, QStringLiteral("CUDA (%1 device(s))").arg(torch::cuda::device_count())};
    }
    return {false, QStringLiteral("CPU (%1 threads)").arg(at::get_num_threads())};
}

RuntimeInfo TorchBackend::runtimeInfo()
{
    RuntimeInfo info;
    info.torchVersion = QString::fromLatin1(TORCH_VERSION);
    info.cudaBuiltIn = at::hasCUDA();
    info.cudaDevices = static_cast<int>(torch::cuda::device_count());
    info.intraOpThreads = at::get_num_threads();
    return info;
}

} // namespace digitdesk::models::detail
