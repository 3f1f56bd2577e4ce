#pragma once

#include <QString>

namespace digitdesk::models {

enum class DeviceRequest
{
    Auto,
    Cpu,
    Cuda
};

struct ComputeDevice
{
    bool cuda = false;
    QString description; // "CPU (2 threads)" or "CUDA device 0 (...)"
};

struct RuntimeInfo
{
    QString torchVersion;
    bool cudaBuiltIn = false;
    int cudaDevices = 0;
    int intraOpThreads = 0;
};

// Parses "auto", "cpu" or "cuda"; returns false for anything else.
bool parseDeviceRequest(const QString &text, DeviceRequest *request);

// Sets LibTorch's intra-op threads (Debian's LibTorch defaults to one); 0 means the core count.
// Before LibTorch is loaded (models/backendloader.h) it is remembered and costs nothing.
void setIntraOpThreads(int threads);

// Keeps freed tensor memory in the process instead of returning it to the kernel after every
// step. glibc serves large blocks with mmap and unmaps them on free, so each training step
// page-faulted its activations back in (measured: 27% of the time in the kernel, 877 against
// 1,114 images/s for the example network). Called by Trainer and Predictor; idempotent.
void tuneMemoryAllocator();

// CUDA when LibTorch has it and a GPU is present, else CPU; "cuda" asked for but unavailable
// throws std::runtime_error with a message saying why, never a silent fallback.
ComputeDevice chooseDevice(DeviceRequest request);

RuntimeInfo runtimeInfo();

// The LibTorch version DigitDesk was built against, known without loading LibTorch.
QString torchVersion();

} // namespace digitdesk::models
