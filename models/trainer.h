#pragma once

#include "models/architecture.h"
#include "models/computedevice.h"
#include "models/evaluation.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::models {

// 28x28 images (count x 784 bytes, white on black) and their labels 0-9.
struct LabelledImages
{
    std::vector<uint8_t> pixels;
    std::vector<uint8_t> labels;
    size_t count() const { return labels.size(); }
};

struct TrainingOptions
{
    Architecture architecture = Architecture::DigitNet;
    int epochs = 15;
    int batchSize = 128;
    double learningRate = 4e-3; // the one-cycle schedule's peak
    double weightDecay = 5e-4;
    quint64 seed = 1;
    double validationFraction = 0.2;
    quint64 splitSeed = 20261123; // fixed apart from `seed`: the held-out split stays the same
    bool augment = true;
    bool oneCycle = true; // false: a constant learning rate, plain Adam-style (benchmarks)
    int threads = 0;      // LibTorch intra-op threads; 0 means the core count
    DeviceRequest device = DeviceRequest::Auto;
    QString checkpointPath; // written after every epoch when not empty
    // When not empty, training starts from this model file's weights (a native model of
    // `architecture`, as Trainer saves them) instead of random ones: a warm start.
    QString initialWeights;
};

struct TrainingProgress
{
    int epoch = 0; // 1-based
    int epochs = 0;
    qint64 step = 0; // across all epochs
    qint64 steps = 0;
    double loss = 0;     // running mean over the epoch so far
    double accuracy = 0; // training accuracy over the epoch so far (augmented images)
    double learningRate = 0;
    double imagesPerSecond = 0;
    double etaSeconds = 0;
    bool epochEnd = false;
    double validationAccuracy = -1; // at the end of an epoch, when there is a validation split
};

struct TrainingResult
{
    bool cancelled = false;
    int epochsDone = 0;
    qint64 trainCount = 0;
    qint64 validationCount = 0;
    double seconds = 0;
    double imagesPerSecond = 0;
    Evaluation raw;        // validation split, temperature 1
    Evaluation calibrated; // validation split, fitted temperature
    double temperature = 1.0;
    // The out-of-distribution threshold: the OodQuantile of the held-out split's energy scores
    // (models/oodscore.h). None without a held-out split.
    std::optional<double> oodThreshold;
    Baselines baselines;
    QString device;
};

// Trains a network on a deterministic split (the last `validationFraction` of a fixed
// permutation is held out), with light augmentation (rotation, shift, scale), AdamW and a
// one-cycle schedule; then evaluates, fits the temperature and saves the model to
// `outputPath` (written atomically). Cancel is checked at every step.
class Trainer final
{
public:
    using ProgressHandler = std::function<void(const TrainingProgress &)>;

    static TrainingResult train(const LabelledImages &data, const TrainingOptions &options,
                                const QString &outputPath, const ProgressHandler &progress = {},
                                const std::atomic<bool> *cancel = nullptr);
};

} // namespace digitdesk::models
