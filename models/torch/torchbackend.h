#pragma once

#include "models/private/backend.h"

namespace digitdesk::models::detail {

// The Backend that libdigitdesk_torch.so answers; its members are defined by responsibility:
// devices and threads in torchdevice.cpp, inference in torchinference.cpp, training in
// torchtrainer.cpp, TorchScript checks in torchprobe.cpp, the rest in torchbackend.cpp.
class TorchBackend final : public Backend
{
public:
    std::unique_ptr<InferenceEngine> load(const QString &path, Architecture architecture,
                                          const ComputeDevice &device) override;
    std::unique_ptr<InferenceEngine> loadFromBytes(const QByteArray &bytes, const QString &name,
                                                   Architecture architecture,
                                                   const ComputeDevice &device) override;
    TrainingResult train(const LabelledImages &data, const TrainingOptions &options,
                         const QString &outputPath, const Trainer::ProgressHandler &progress,
                         const std::atomic<bool> *cancel) override;
    QString checkTorchScriptShape(const QString &path) override;
    TorchScriptProbe probeTorchScript(const QByteArray &bytes, const std::vector<QString> &inputs,
                                      const std::vector<int> &batchSizes) override;
    void setIntraOpThreads(int threads) override;
    ComputeDevice chooseDevice(DeviceRequest request) override;
    RuntimeInfo runtimeInfo() override;
    double measurePeakGflops() override;
    void saveUntrained(Architecture architecture, const QString &path) override;
};

} // namespace digitdesk::models::detail
