#include "models/predictor.h"

#include "models/oodscore.h"
#include "models/private/classifier.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <QFile>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace digitdesk::models {

struct Predictor::Impl
{
    std::unique_ptr<detail::Classifier> classifier;
    double temperature = 1.0;
    ComputeDevice device;
};

Predictor::Predictor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
    m_impl->classifier->setTraining(false);
    if (m_impl->device.cuda) {
        m_impl->classifier->moveToCuda();
    }
    m_impl->classifier->prepareForInference();
}

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
    impl->classifier = detail::loadClassifier(QFile::encodeName(path).toStdString(), architecture);
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
    std::istringstream stream(bytes.toStdString());
    impl->classifier = detail::loadClassifier(stream, name.toStdString(), architecture);
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
    const torch::InferenceMode inference;
    const int piece = m_impl->device.cuda ? 0 : m_impl->classifier->preferredCpuBatch();
    const int step = piece > 0 ? piece : count;
    std::vector<float> logits;
    logits.reserve(static_cast<size_t>(count) * ClassCount);
    for (int first = 0; first < count; first += step) {
        const int n = std::min(step, count - first);
        torch::Tensor batch =
            torch::from_blob(const_cast<float *>(input) + static_cast<size_t>(first) * PixelCount,
                             {n, 1, 28, 28}, torch::kFloat32);
        if (m_impl->device.cuda) {
            batch = batch.to(torch::kCUDA);
        }
        torch::Tensor output = m_impl->classifier->forward(batch);
        if (output.dim() != 2 || output.size(0) != n || output.size(1) != ClassCount) {
            throw std::runtime_error("the model answered a tensor of the wrong shape");
        }
        output = output.to(torch::kCPU, torch::kFloat32).contiguous();
        logits.insert(logits.end(), output.data_ptr<float>(),
                      output.data_ptr<float>() + output.numel());
    }
    return logits;
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
    *dimension = 0;
    std::vector<float> values;
    const torch::InferenceMode inference;
    const int piece = m_impl->device.cuda ? 0 : m_impl->classifier->preferredCpuBatch();
    const int step = piece > 0 ? piece : std::max(count, 1);
    std::vector<float> input(static_cast<size_t>(step) * PixelCount);
    for (int first = 0; first < count; first += step) {
        const int n = std::min(step, count - first);
        const uint8_t *source = pixels + static_cast<size_t>(first) * PixelCount;
        for (size_t i = 0; i < static_cast<size_t>(n) * PixelCount; ++i) {
            input[i] = static_cast<float>(source[i]) / 255.0F;
        }
        torch::Tensor batch = torch::from_blob(input.data(), {n, 1, 28, 28}, torch::kFloat32);
        if (m_impl->device.cuda) {
            batch = batch.to(torch::kCUDA);
        }
        const torch::Tensor output =
            m_impl->classifier->features(batch).to(torch::kCPU, torch::kFloat32).contiguous();
        *dimension = static_cast<int>(output.size(1));
        values.insert(values.end(), output.data_ptr<float>(),
                      output.data_ptr<float>() + output.numel());
    }
    return values;
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
    std::unique_ptr<detail::Classifier> classifier;
    try {
        classifier = detail::loadClassifier(QFile::encodeName(path).toStdString(),
                                            Architecture::TorchScript);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    try {
        const torch::InferenceMode inference;
        const torch::Tensor output = classifier->forward(torch::rand({3, 1, 28, 28}));
        if (output.dim() != 2 || output.size(0) != 3 || output.size(1) != ClassCount) {
            return QStringLiteral("%1 maps [3, 1, 28, 28] to %2, not to [3, 10] logits")
                .arg(path, QString::fromStdString(c10::str(output.sizes())));
        }
        if (output.scalar_type() != torch::kFloat32) {
            return QStringLiteral("%1 answers %2, not float32 logits")
                .arg(path, QString::fromLatin1(c10::toString(output.scalar_type())));
        }
    } catch (const std::exception &error) {
        // TorchScript errors carry the script's traceback; its last line says what went wrong.
        const QStringList lines =
            QString::fromUtf8(error.what()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        return QStringLiteral("%1 does not accept float [N, 1, 28, 28] input: %2")
            .arg(path, lines.isEmpty() ? QString() : lines.last().trimmed());
    }
    return {};
}

} // namespace digitdesk::models
