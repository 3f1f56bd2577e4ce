#include "app/serve/capturepolicy.h"

#include "app/serve/capturedpixels.h"
#include "models/dynamicbatcher.h"

namespace digitdesk::app {

CaptureDecision CapturePolicy::decide(float confidence) const
{
    if (!m_enabled) {
        return CaptureDecision::Disabled;
    }
    return confidence < m_threshold ? CaptureDecision::LowConfidence : CaptureDecision::Confident;
}

CapturePolicy::Selection CapturePolicy::select(const models::BatchAnswer &answer,
                                               const std::vector<QByteArray> &originals) const
{
    Selection selection;
    if (!m_enabled) {
        selection.decisions[static_cast<size_t>(CaptureDecision::Disabled)] =
            static_cast<int>(answer.predictions.size());
        return selection;
    }
    for (size_t i = 0; i < answer.predictions.size(); ++i) {
        const models::Prediction &prediction = answer.predictions[i];
        const CaptureDecision decision = decide(prediction.confidence);
        ++selection.decisions[static_cast<size_t>(decision)];
        if (decision != CaptureDecision::LowConfidence) {
            continue;
        }
        annotation::CapturedImage image;
        image.pixels =
            storedPixels(answer.input.data() + i * static_cast<size_t>(models::PixelCount));
        if (i < originals.size()) {
            image.original = originals[i];
        }
        image.modelId = answer.model->id;
        image.label = prediction.label;
        image.confidence = prediction.confidence;
        image.probabilities = prediction.probabilities;
        selection.images.push_back(std::move(image));
    }
    return selection;
}

} // namespace digitdesk::app
