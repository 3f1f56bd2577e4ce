#pragma once

#include "models/predictor.h"
#include "storage/shadowrepository.h"

#include <chrono>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace digitdesk::app {

// Shadowed images counted per minute by the two models and their two labels, with both
// confidences summed, until the writer thread adds them to the workspace.
class ShadowTally final
{
public:
    using Clock = std::chrono::system_clock;

    // `production` and `candidate` answered the same images, in the same order.
    void record(qint64 productionId, const std::vector<models::Prediction> &production,
                qint64 candidateId, const std::vector<models::Prediction> &candidate,
                Clock::time_point at = Clock::now());
    std::vector<storage::ShadowAgreementCount> takeUnsaved();
    void restoreUnsaved(const std::vector<storage::ShadowAgreementCount> &counts);

private:
    using Key = std::tuple<qint64, qint64, qint64, int, int>; // minute, models, labels
    struct Sums
    {
        qint64 count = 0;
        double productionConfidence = 0;
        double candidateConfidence = 0;
    };
    std::mutex m_mutex;
    std::map<Key, Sums> m_unsaved;
};

} // namespace digitdesk::app
