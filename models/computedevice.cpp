#include "models/computedevice.h"

#include "models/backendloader.h"
#include "models/private/backend.h"

#include <malloc.h>

#include <atomic>

namespace digitdesk::models {
namespace {

// The intra-op threads asked for before the LibTorch module was loaded; -1: none asked for.
std::atomic<int> pendingThreads{-1};

} // namespace

bool parseDeviceRequest(const QString &text, DeviceRequest *request)
{
    if (text == QStringLiteral("auto")) {
        *request = DeviceRequest::Auto;
    } else if (text == QStringLiteral("cpu")) {
        *request = DeviceRequest::Cpu;
    } else if (text == QStringLiteral("cuda")) {
        *request = DeviceRequest::Cuda;
    } else {
        return false;
    }
    return true;
}

void setIntraOpThreads(int threads)
{
    // Remembered until LibTorch is needed, so that asking costs a command nothing.
    pendingThreads.store(threads);
    if (backendLoaded()) {
        detail::backend().setIntraOpThreads(threads);
    }
}

void tuneMemoryAllocator()
{
    static const bool tuned = [] {
        mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
        return true;
    }();
    (void)tuned;
}

ComputeDevice chooseDevice(DeviceRequest request)
{
    return detail::backend().chooseDevice(request);
}

RuntimeInfo runtimeInfo()
{
    return detail::backend().runtimeInfo();
}

QString torchVersion()
{
    return QStringLiteral(DIGITDESK_TORCH_VERSION);
}

namespace detail {

void applyPendingThreads(Backend &backend)
{
    if (const int threads = pendingThreads.load(); threads >= 0) {
        backend.setIntraOpThreads(threads);
    }
}

} // namespace detail
} // namespace digitdesk::models
