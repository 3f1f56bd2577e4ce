#include "models/predictor.h"

#include "models/oodscore.h"
#include "models/private/backend.h"

#include <QFile>

#include <algorithm>
#include <stdexcept>

namespace digitdesk::models {

// The tensors live in the LibTorch module (models/torch/), behind InferenceEngine; what is
// plain C++ (checks, softmax, temperature) stays here.
struct Predictor::Impl
{
    std::unique_ptr<detail::InferenceEngine> engine;
    double temperature = 1.0;
    ComputeDevice device;
};

Predictor::Predictor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Predictor::~Predictor() = default;

namespace {

void checkTemperature(const QString &name, double temperature)
{
    if (!(temperature > 0)) {
        throw std::runtime_error(QStringLiteral("model %1 has an invalid temperature %2")
                                     .arg(name)
                                     .arg(temperature)
                                     .toStdString());
    }
}

} // namespace

std::unique_ptr<Predictor> Predictor::load(const QString &path, Architecture architecture,
                                           double temperature, DeviceRequest device)
{
    if (!QFile::exists(path)) {
        throw std::runtime_error(
            QStringLiteral("model file %1 does not exist").arg(path).toStdString());
    }
    checkTemperature(path, temperature);
    tuneMemoryAllocator();
    auto impl = std::make_unique<Impl>();
    impl->device = chooseDevice(device);
    impl->engine = detail::backend().load(path, architecture, impl->device);
    impl->temperature = temperature;
    return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
}

std::unique_ptr<Predictor> Predictor::loadFromBytes(const QByteArray &bytes, const QString &name,
                                                    Architecture architecture, double temperature,
                                                    DeviceRequest device)
{
    checkTemperature(name, temperature);
    tuneMemoryAllocator();
    auto impl = std::make_unique<Impl>();
    impl->device = chooseDevice(device);
    impl->engine = detail::backend().loadFromBytes(bytes, name, architecture, impl->device);
    impl->temperature = temperature;
    return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
}

std::vector<float> Predictor::logitsFromFloat(const float *input, int count)
{
    if (count <= 0) {
        return {};
    }
    for (size_t i = 0; i < static_cast<size_t>(count) * PixelCount; ++i) {
        if (!(input[i] >= 0.0F && input[i] <= 1.0F)) { // also false for NaN
            throw std::invalid_argument(QStringLiteral("input value %1 of image %2 is outside 0..1")
                                            .arg(input[i])
                                            .arg(i / PixelCount)
                                            .toStdString());
        }
    }
    return m_impl->engine->logitsFromFloat(input, count);
}

std::vector<float> Predictor::logits(const uint8_t *pixels, int count)
{
    std::vector<float> input(static_cast<size_t>(count) * PixelCount);
    for (size_t i = 0; i < input.size(); ++i) {
        input[i] = static_cast<float>(pixels[i]) / 255.0F;
    }
    return logitsFromFloat(input.data(), count);
}

std::vector<Prediction> Predictor::predict(const uint8_t *pixels, int count)
{
    std::vector<float> input(static_cast<size_t>(count) * PixelCount);
    for (size_t i = 0; i < input.size(); ++i) {
        input[i] = static_cast<float>(pixels[i]) / 255.0F;
    }
    return predictFromFloat(input.data(), count);
}

std::vector<Prediction> Predictor::predictFromFloat(const float *input, int count)
{
    const std::vector<float> raw = logitsFromFloat(input, count);
    std::vector<Prediction> predictions(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        Prediction &prediction = predictions[static_cast<size_t>(i)];
        const float *row = raw.data() + static_cast<size_t>(i) * ClassCount;
        prediction.probabilities = softmax(row, m_impl->temperature);
        prediction.oodScore = energyScore(row);
        const auto best =
            std::max_element(prediction.probabilities.begin(), prediction.probabilities.end());
        prediction.label = static_cast<int>(best - prediction.probabilities.begin());
        prediction.confidence = *best;
    }
    return predictions;
}

std::vector<float> Predictor::embeddings(const uint8_t *pixels, int count, int *dimension)
{
    return m_impl->engine->embeddings(pixels, count, dimension);
}

double Predictor::temperature() const
{
    return m_impl->temperature;
}

ComputeDevice Predictor::device() const
{
    return m_impl->device;
}

QString checkTorchScriptShape(const QString &path)
{
    return detail::backend().checkTorchScriptShape(path);
}

} // namespace digitdesk::models
