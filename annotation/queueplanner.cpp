#include "annotation/queueplanner.h"

#include "storage/goldrepository.h"
#include "storage/leaserepository.h"

#include <algorithm>
#include <array>
#include <optional>

namespace digitdesk::annotation {
namespace {

std::optional<qint64> firstNotIn(const std::vector<qint64> &ids, const std::vector<qint64> &taken)
{
    for (qint64 id : ids) {
        if (std::find(taken.begin(), taken.end(), id) == taken.end()) {
            return id;
        }
    }
    return std::nullopt;
}

} // namespace

std::vector<qint64> QueuePlanner::plan(qint64 userId, const QDateTime &now, qint64 firstDecision,
                                       int count, const std::vector<qint64> &exclude) const
{
    if (count <= 0) {
        return {};
    }
    const storage::LeaseRepository repository(m_db);
    // Each list is long enough that excluding everything chosen before still leaves its next;
    // a list is read only when a decision needs it (most top-ups need one).
    const int depth = count + static_cast<int>(exclude.size());
    std::array<std::optional<std::vector<qint64>>, 4> lists; // by mostConfident, skippedToo
    const auto list = [&](bool mostConfident, bool skippedToo) -> const std::vector<qint64> & {
        auto &cached = lists[(mostConfident ? 2U : 0U) + (skippedToo ? 1U : 0U)];
        if (!cached) {
            cached = repository.candidates(userId, now, skippedToo, mostConfident, depth);
        }
        return *cached;
    };
    std::optional<std::vector<qint64>> gold;

    std::vector<qint64> taken = exclude;
    std::vector<qint64> planned;
    for (qint64 decision = firstDecision; decision < firstDecision + count; ++decision) {
        const bool wantsConfident =
            m_mix.confidentEvery > 0 && decision % m_mix.confidentEvery == 0;
        const bool wantsGold =
            m_mix.goldEvery > 0 && decision % m_mix.goldEvery == m_mix.goldEvery / 2;
        std::optional<qint64> id;
        if (wantsGold) {
            if (!gold) {
                gold = storage::GoldRepository(m_db).goldCandidates(userId, now, depth);
            }
            id = firstNotIn(*gold, taken);
        }
        // Skipped images come back only when nothing else is left.
        if (!id) {
            id = firstNotIn(list(wantsConfident, false), taken);
        }
        if (!id) {
            id = firstNotIn(list(wantsConfident, true), taken);
        }
        if (!id) {
            break;
        }
        taken.push_back(*id);
        planned.push_back(*id);
    }
    return planned;
}

} // namespace digitdesk::annotation
