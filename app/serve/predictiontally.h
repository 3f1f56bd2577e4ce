#pragma once

#include "models/predictor.h"
#include "storage/servingpredictionrepository.h"

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace digitdesk::app {

// Every answered image, counted per minute by model, label, confidence bin and
// out-of-distribution flag, until the writer thread adds the counts to the workspace. A
// request pays one lock and an increment per image; the database is never on its path.
class PredictionTally final
{
public:
    using Clock = std::chrono::system_clock;

    void record(qint64 modelId, const std::vector<models::Prediction> &predictions,
                std::optional<float> oodThreshold, Clock::time_point at = Clock::now());
    // What was counted since the last call, to be persisted.
    std::vector<storage::ServingPredictionCount> takeUnsaved();
    // Gives back what could not be persisted, for the next attempt.
    void restoreUnsaved(const std::vector<storage::ServingPredictionCount> &counts);

private:
    static constexpr size_t Cells = storage::ServedClasses * storage::ConfidenceBins * 2;
    using Counts = std::array<qint64, Cells>;
    static size_t cellOf(int label, int confidenceBin, bool ood);

    std::mutex m_mutex;
    std::map<std::pair<qint64, qint64>, Counts> m_unsaved; // by (minute, model id)
};

} // namespace digitdesk::app
