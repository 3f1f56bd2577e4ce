#pragma once

#include "models/architecture.h"
#include "models/computedevice.h"
#include "models/torchscriptprobe.h"
#include "models/trainer.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

// What the LibTorch module (models/torch/, libdigitdesk_torch.so) does for the plain facades of
// models/. Plain C++ and Qt Core only: both sides are built from the same sources, with one
// libstdc++, so these types and std:: exceptions cross the boundary as they are.
namespace digitdesk::models::detail {

// Bump whenever this header changes: a module built from other sources is refused at load.
inline constexpr int BackendAbi = 1;

// One loaded network, as Predictor holds it. Not thread-safe.
class InferenceEngine
{
public:
    virtual ~InferenceEngine() = default;
    // `input` holds count x 784 values, already checked to be in 0..1; answers count x 10.
    virtual std::vector<float> logitsFromFloat(const float *input, int count) = 0;
    virtual std::vector<float> embeddings(const uint8_t *pixels, int count, int *dimension) = 0;
};

class Backend
{
public:
    virtual ~Backend() = default;
    // The network is in inference mode, on `device` (CUDA when `device.cuda`).
    virtual std::unique_ptr<InferenceEngine> load(const QString &path, Architecture architecture,
                                                  const ComputeDevice &device) = 0;
    virtual std::unique_ptr<InferenceEngine> loadFromBytes(const QByteArray &bytes,
                                                           const QString &name,
                                                           Architecture architecture,
                                                           const ComputeDevice &device) = 0;
    virtual TrainingResult train(const LabelledImages &data, const TrainingOptions &options,
                                 const QString &outputPath,
                                 const Trainer::ProgressHandler &progress,
                                 const std::atomic<bool> *cancel) = 0;
    virtual QString checkTorchScriptShape(const QString &path) = 0;
    virtual TorchScriptProbe probeTorchScript(const QByteArray &bytes,
                                              const std::vector<QString> &inputs,
                                              const std::vector<int> &batchSizes) = 0;
    virtual void setIntraOpThreads(int threads) = 0;
    virtual ComputeDevice chooseDevice(DeviceRequest request) = 0;
    virtual RuntimeInfo runtimeInfo() = 0;
    virtual double measurePeakGflops() = 0;
    virtual void saveUntrained(Architecture architecture, const QString &path) = 0;
};

// The module, loaded at the first call (see models/backendloader.h); throws std::runtime_error
// naming the module and where it was looked for when it cannot be loaded.
Backend &backend();

// Gives a freshly loaded module the intra-op threads asked for before it was loaded
// (models/computedevice.cpp remembers them).
void applyPendingThreads(Backend &backend);

} // namespace digitdesk::models::detail

// The module's one exported symbol: its Backend, or nullptr when `abi` is not BackendAbi.
extern "C" __attribute__((visibility("default"))) void *digitdesk_torch_backend(int abi);
