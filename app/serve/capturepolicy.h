#pragma once

#include "annotation/servingcapture.h"

#include <QByteArray>

#include <array>
#include <cstddef>
#include <vector>

namespace digitdesk::models {
struct BatchAnswer;
}

namespace digitdesk::app {

// What happened to one answered image as far as capture goes, as /metrics counts it.
enum class CaptureDecision
{
    Disabled,      // capture is switched off (setting or process)
    LowConfidence, // under the threshold: handed to the writer
    Confident
};
inline constexpr std::size_t CaptureDecisionCount = 3;

// Which answered images become incoming items for the annotation queue: those whose
// calibrated confidence is under the threshold, while capture is on.
class CapturePolicy final
{
public:
    CapturePolicy(bool enabled, double threshold) : m_enabled(enabled), m_threshold(threshold) {}

    CaptureDecision decide(float confidence) const;

    struct Selection
    {
        std::vector<annotation::CapturedImage> images;
        std::array<int, CaptureDecisionCount> decisions{}; // by CaptureDecision
    };
    // The images of `answer` to store, each with the pixels the model saw, its original (when
    // the client sent one) and the answer.
    Selection select(const models::BatchAnswer &answer,
                     const std::vector<QByteArray> &originals) const;

private:
    bool m_enabled;
    double m_threshold;
};

} // namespace digitdesk::app
