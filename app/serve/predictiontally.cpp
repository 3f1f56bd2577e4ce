#include "app/serve/predictiontally.h"

#include "app/serve/sloledger.h"

#include <algorithm>

namespace digitdesk::app {

size_t PredictionTally::cellOf(int label, int confidenceBin, bool ood)
{
    return (static_cast<size_t>(label) * storage::ConfidenceBins +
            static_cast<size_t>(confidenceBin)) *
               2 +
           (ood ? 1 : 0);
}

void PredictionTally::record(qint64 modelId, const std::vector<models::Prediction> &predictions,
                             std::optional<float> oodThreshold, Clock::time_point at)
{
    const qint64 minute = SloLedger::minuteOf(at);
    const std::lock_guard lock(m_mutex);
    Counts &counts = m_unsaved.try_emplace({minute, modelId}).first->second;
    for (const models::Prediction &prediction : predictions) {
        const int label = std::clamp(prediction.label, 0, storage::ServedClasses - 1);
        // A model that answers NaN lands in the lowest bin rather than in undefined behaviour.
        const float confidence =
            std::clamp(prediction.confidence >= 0.0F ? prediction.confidence : 0.0F, 0.0F, 1.0F);
        const int bin = std::min(static_cast<int>(confidence * storage::ConfidenceBins),
                                 storage::ConfidenceBins - 1);
        const bool ood = oodThreshold && prediction.oodScore > *oodThreshold;
        ++counts[cellOf(label, bin, ood)];
    }
}

std::vector<storage::ServingPredictionCount> PredictionTally::takeUnsaved()
{
    std::map<std::pair<qint64, qint64>, Counts> taken;
    {
        const std::lock_guard lock(m_mutex);
        taken.swap(m_unsaved);
    }
    std::vector<storage::ServingPredictionCount> rows;
    for (const auto &[key, counts] : taken) {
        for (int label = 0; label < storage::ServedClasses; ++label) {
            for (int bin = 0; bin < storage::ConfidenceBins; ++bin) {
                for (const bool ood : {false, true}) {
                    const qint64 count = counts[cellOf(label, bin, ood)];
                    if (count > 0) {
                        rows.push_back({key.first, key.second, label, bin, ood, count});
                    }
                }
            }
        }
    }
    return rows;
}

void PredictionTally::restoreUnsaved(const std::vector<storage::ServingPredictionCount> &counts)
{
    const std::lock_guard lock(m_mutex);
    for (const storage::ServingPredictionCount &count : counts) {
        m_unsaved.try_emplace({count.minute, count.modelId})
            .first->second[cellOf(count.label, count.confidenceBin, count.ood)] += count.count;
    }
}

} // namespace digitdesk::app
