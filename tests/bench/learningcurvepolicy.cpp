#include "tests/bench/learningcurvepolicy.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <tuple>

namespace digitdesk::bench {

double scoreOf(Policy policy, const models::Prediction &prediction)
{
    if (policy == Policy::Margin) {
        std::array<float, models::ClassCount> sorted = prediction.probabilities;
        std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
        return -static_cast<double>(sorted[0] - sorted[1]);
    }
    if (policy == Policy::Entropy) {
        double entropy = 0;
        for (float p : prediction.probabilities) {
            entropy -= p > 0 ? static_cast<double>(p) * std::log(static_cast<double>(p)) : 0.0;
        }
        return entropy;
    }
    return -static_cast<double>(prediction.confidence);
}

int stratumOf(Policy policy, const models::Prediction &prediction)
{
    if (policy == Policy::ClassStrata) {
        return prediction.label;
    }
    if (policy == Policy::PairStrata) {
        int second = prediction.label == 0 ? 1 : 0;
        for (int c = 0; c < models::ClassCount; ++c) {
            if (c != prediction.label &&
                prediction.probabilities[static_cast<size_t>(c)] >
                    prediction.probabilities[static_cast<size_t>(second)]) {
                second = c;
            }
        }
        return prediction.label * models::ClassCount + second;
    }
    return 0;
}

std::vector<qint64> rankedPool(Policy policy, const std::vector<qint64> &pool,
                               const std::vector<models::Prediction> &answers)
{
    std::vector<std::pair<double, size_t>> byScore;
    for (size_t i = 0; i < pool.size(); ++i) {
        byScore.emplace_back(-scoreOf(policy, answers[i]), i);
    }
    std::sort(byScore.begin(), byScore.end());
    QHash<int, int> taken; // per stratum
    std::vector<std::tuple<int, double, size_t>> ranked;
    for (const auto &[score, i] : byScore) {
        ranked.emplace_back(taken[stratumOf(policy, answers[i])]++, score, i);
    }
    std::sort(ranked.begin(), ranked.end());
    std::vector<qint64> order;
    for (const auto &entry : ranked) {
        order.push_back(pool[std::get<2>(entry)]);
    }
    return order;
}

QString nameOf(Policy policy)
{
    switch (policy) {
    case Policy::DefaultQueue:
        return QStringLiteral("default queue");
    case Policy::Margin:
        return QStringLiteral("margin");
    case Policy::Entropy:
        return QStringLiteral("entropy");
    case Policy::LeastConfidence:
        return QStringLiteral("least confidence");
    case Policy::ClassStrata:
        return QStringLiteral("class strata");
    case Policy::PairStrata:
        return QStringLiteral("pair strata");
    case Policy::Random:
        break;
    }
    return QStringLiteral("random");
}

QString keyOf(Policy policy)
{
    return policy == Policy::DefaultQueue
               ? QStringLiteral("default")
               : nameOf(policy).replace(QLatin1Char(' '), QLatin1Char('-'));
}

std::optional<Policy> policyOf(const QString &key)
{
    for (Policy policy : {Policy::DefaultQueue, Policy::Margin, Policy::Entropy, Policy::Random,
                          Policy::LeastConfidence, Policy::ClassStrata, Policy::PairStrata}) {
        if (keyOf(policy) == key) {
            return policy;
        }
    }
    return std::nullopt;
}

} // namespace digitdesk::bench
