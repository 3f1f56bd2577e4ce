#include "models/torch/torchbackend.h"

#include "models/evaluation.h"
#include "models/torch/classifier.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <QFile>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace digitdesk::models::detail {
namespace {

class ClassifierEngine final : public InferenceEngine
{
public:
    ClassifierEngine(std::unique_ptr<Classifier> classifier, bool cuda)
        : m_classifier(std::move(classifier)), m_cuda(cuda)
    {
        m_classifier->setTraining(false);
        if (m_cuda) {
            m_classifier->moveToCuda();
        }
        m_classifier->prepareForInference();
    }

    std::vector<float> logitsFromFloat(const float *input, int count) override
    {
        const torch::InferenceMode inference;
        const int piece = m_cuda ? 0 : m_classifier->preferredCpuBatch();
        const int step = piece > 0 ? piece : count;
        std::vector<float> logits;
        logits.reserve(static_cast<size_t>(count) * ClassCount);
        for (int first = 0; first < count; first += step) {
            const int n = std::min(step, count - first);
            torch::Tensor batch = torch::from_blob(const_cast<float *>(input) +
                                                       static_cast<size_t>(first) * PixelCount,
                                                   {n, 1, 28, 28}, torch::kFloat32);
            if (m_cuda) {
                batch = batch.to(torch::kCUDA);
            }
            torch::Tensor output = m_classifier->forward(batch);
            if (output.dim() != 2 || output.size(0) != n || output.size(1) != ClassCount) {
                throw std::runtime_error("the model answered a tensor of the wrong shape");
            }
            output = output.to(torch::kCPU, torch::kFloat32).contiguous();
            logits.insert(logits.end(), output.data_ptr<float>(),
                          output.data_ptr<float>() + output.numel());
        }
        return logits;
    }

    std::vector<float> embeddings(const uint8_t *pixels, int count, int *dimension) override
    {
        *dimension = 0;
        std::vector<float> values;
        const torch::InferenceMode inference;
        const int piece = m_cuda ? 0 : m_classifier->preferredCpuBatch();
        const int step = piece > 0 ? piece : std::max(count, 1);
        std::vector<float> input(static_cast<size_t>(step) * PixelCount);
        for (int first = 0; first < count; first += step) {
            const int n = std::min(step, count - first);
            const uint8_t *source = pixels + static_cast<size_t>(first) * PixelCount;
            for (size_t i = 0; i < static_cast<size_t>(n) * PixelCount; ++i) {
                input[i] = static_cast<float>(source[i]) / 255.0F;
            }
            torch::Tensor batch = torch::from_blob(input.data(), {n, 1, 28, 28}, torch::kFloat32);
            if (m_cuda) {
                batch = batch.to(torch::kCUDA);
            }
            const torch::Tensor output =
                m_classifier->features(batch).to(torch::kCPU, torch::kFloat32).contiguous();
            *dimension = static_cast<int>(output.size(1));
            values.insert(values.end(), output.data_ptr<float>(),
                          output.data_ptr<float>() + output.numel());
        }
        return values;
    }

private:
    std::unique_ptr<Classifier> m_classifier;
    bool m_cuda = false;
};

} // namespace

std::unique_ptr<InferenceEngine> TorchBackend::load(const QString &path, Architecture architecture,
                                                    const ComputeDevice &device)
{
    return std::make_unique<ClassifierEngine>(
        loadClassifier(QFile::encodeName(path).toStdString(), architecture), device.cuda);
}

std::unique_ptr<InferenceEngine> TorchBackend::loadFromBytes(const QByteArray &bytes,
                                                             const QString &name,
                                                             Architecture architecture,
                                                             const ComputeDevice &device)
{
    std::istringstream stream(bytes.toStdString());
    return std::make_unique<ClassifierEngine>(
        loadClassifier(stream, name.toStdString(), architecture), device.cuda);
}

} // namespace digitdesk::models::detail
