#pragma once

#include "models/architecture.h"
#include "models/computedevice.h"
#include "models/evaluation.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace digitdesk::models {

struct Prediction
{
    int label = 0;
    float confidence = 0; // calibrated: softmax(logits / temperature), top class
    std::array<float, ClassCount> probabilities{};
    float oodScore = 0; // energyScore() of the raw logits (models/oodscore.h): higher is stranger
};

// One interface over DigitDesk's own networks and imported TorchScript: 28x28 8-bit images
// in (white ink on black, as stored), calibrated predictions out. Eval mode and inference
// mode; the device is chosen once at load. Not thread-safe: one Predictor per thread.
class Predictor final
{
public:
    // Throws std::runtime_error naming the file and the reason (missing, not loadable,
    // `cuda` asked for without one).
    static std::unique_ptr<Predictor> load(const QString &path, Architecture architecture,
                                           double temperature, DeviceRequest device);
    // As load(), from a model file's bytes already in memory (those whose digest was checked),
    // so that what runs is what was checked; `name` says which file in errors.
    static std::unique_ptr<Predictor> loadFromBytes(const QByteArray &bytes, const QString &name,
                                                    Architecture architecture, double temperature,
                                                    DeviceRequest device);
    ~Predictor();
    Predictor(const Predictor &) = delete;
    Predictor &operator=(const Predictor &) = delete;

    // `pixels` holds count x 784 bytes.
    std::vector<Prediction> predict(const uint8_t *pixels, int count);
    // As predict(), from count x 784 floats in 0..1 (see logitsFromFloat()).
    std::vector<Prediction> predictFromFloat(const float *input, int count);
    // Raw logits, count x 10, before temperature.
    std::vector<float> logits(const uint8_t *pixels, int count);
    // As logits(), from float input; throws std::invalid_argument for a value outside 0..1
    // or NaN, naming the image.
    std::vector<float> logitsFromFloat(const float *input, int count);

    // The activations of the layer before the logits (DigitNet: 432 per image; an imported
    // model: its logits), count rows of `*dimension` values, for distances between images.
    std::vector<float> embeddings(const uint8_t *pixels, int count, int *dimension);

    double temperature() const;
    ComputeDevice device() const;

private:
    struct Impl;
    explicit Predictor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Checks that a TorchScript file maps float [N, 1, 28, 28] to [N, 10] logits. Returns an
// empty string when it does, else the reason it does not.
QString checkTorchScriptShape(const QString &path);

} // namespace digitdesk::models
