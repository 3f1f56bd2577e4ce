#pragma once

namespace digitdesk::models {

// LibTorch lives in a module (libdigitdesk_torch.so) that DigitDesk opens at the first call
// that needs a network or a tensor: choosing a device, loading a model, training, `info`.
// Everything else (the command line without a model, the login window, the annotation views)
// never loads it. DIGITDESK_TORCH_MODULE names another file to open instead.

// True once the module is loaded in this process.
bool backendLoaded();

// Loads the module now, so that its one-off cost (about half a second) is not paid by the
// first call that is timed; throws std::runtime_error when it cannot be loaded.
void preloadBackend();

} // namespace digitdesk::models
