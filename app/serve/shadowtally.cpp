#include "app/serve/shadowtally.h"

#include <algorithm>

namespace digitdesk::app {

void ShadowTally::record(qint64 productionId, const std::vector<models::Prediction> &production,
                         qint64 candidateId, const std::vector<models::Prediction> &candidate,
                         Clock::time_point at)
{
    const qint64 minute =
        std::chrono::duration_cast<std::chrono::minutes>(at.time_since_epoch()).count();
    const size_t count = std::min(production.size(), candidate.size());
    const std::lock_guard lock(m_mutex);
    for (size_t i = 0; i < count; ++i) {
        Sums &sums =
            m_unsaved[{minute, productionId, candidateId, production[i].label, candidate[i].label}];
        ++sums.count;
        sums.productionConfidence += production[i].confidence;
        sums.candidateConfidence += candidate[i].confidence;
    }
}

std::vector<storage::ShadowAgreementCount> ShadowTally::takeUnsaved()
{
    std::map<Key, Sums> taken;
    {
        const std::lock_guard lock(m_mutex);
        taken.swap(m_unsaved);
    }
    std::vector<storage::ShadowAgreementCount> counts;
    counts.reserve(taken.size());
    for (const auto &[key, sums] : taken) {
        const auto &[minute, production, candidate, productionLabel, candidateLabel] = key;
        counts.push_back({minute, production, candidate, productionLabel, candidateLabel,
                          sums.count, sums.productionConfidence, sums.candidateConfidence});
    }
    return counts;
}

void ShadowTally::restoreUnsaved(const std::vector<storage::ShadowAgreementCount> &counts)
{
    const std::lock_guard lock(m_mutex);
    for (const storage::ShadowAgreementCount &count : counts) {
        Sums &sums = m_unsaved[{count.minute, count.productionModelId, count.candidateModelId,
                                count.productionLabel, count.candidateLabel}];
        sums.count += count.count;
        sums.productionConfidence += count.productionConfidenceSum;
        sums.candidateConfidence += count.candidateConfidenceSum;
    }
}

} // namespace digitdesk::app
