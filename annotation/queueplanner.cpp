#include "annotation/queueplanner.h"

#include "storage/annotationrepository.h"

#include <algorithm>
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
    const storage::AnnotationRepository repository(m_db);
    // Each list is long enough that excluding everything chosen before still leaves its next.
    const int depth = count + static_cast<int>(exclude.size());
    struct Order
    {
        std::vector<qint64> fresh; // skipped images left out
        std::vector<qint64> all;   // skipped images come back only when nothing else is left
    };
    const auto order = [&](bool mostConfident) {
        return Order{repository.candidates(userId, now, false, mostConfident, depth),
                     repository.candidates(userId, now, true, mostConfident, depth)};
    };
    const Order uncertain = order(false);
    const Order confident = m_mix.confidentEvery > 0 ? order(true) : Order{};
    const std::vector<qint64> gold =
        m_mix.goldEvery > 0 ? repository.goldCandidates(userId, now, depth) : std::vector<qint64>{};

    std::vector<qint64> taken = exclude;
    std::vector<qint64> planned;
    for (qint64 decision = firstDecision; decision < firstDecision + count; ++decision) {
        const bool wantsConfident =
            m_mix.confidentEvery > 0 && decision % m_mix.confidentEvery == 0;
        const bool wantsGold =
            m_mix.goldEvery > 0 && decision % m_mix.goldEvery == m_mix.goldEvery / 2;
        std::optional<qint64> id = wantsGold ? firstNotIn(gold, taken) : std::nullopt;
        const Order &source = wantsConfident ? confident : uncertain;
        if (!id) {
            id = firstNotIn(source.fresh, taken);
        }
        if (!id) {
            id = firstNotIn(source.all, taken);
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
