#include "models/backendloader.h"

#include "models/lazymodule.h"
#include "models/private/backend.h"

namespace digitdesk::models {
namespace {

LazyModule &torchModule()
{
    static LazyModule module("LibTorch", "libdigitdesk_torch.so", "DIGITDESK_TORCH_MODULE",
                             "digitdesk_torch_backend", detail::BackendAbi);
    return module;
}

} // namespace

bool backendLoaded()
{
    return torchModule().loaded();
}

void preloadBackend()
{
    detail::backend();
}

namespace detail {

Backend &backend()
{
    LazyModule &module = torchModule();
    const bool first = !module.loaded();
    auto &loaded = *static_cast<Backend *>(module.interface());
    if (first) {
        applyPendingThreads(loaded);
    }
    return loaded;
}

} // namespace detail
} // namespace digitdesk::models
