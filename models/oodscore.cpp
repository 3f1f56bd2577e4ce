#include "models/oodscore.h"

#include "models/evaluation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace digitdesk::models {

float energyScore(const float *logits)
{
    const float largest = *std::max_element(logits, logits + ClassCount);
    double sum = 0;
    for (int c = 0; c < ClassCount; ++c) {
        sum += std::exp(static_cast<double>(logits[c]) - largest);
    }
    // sum >= 1: the largest logit contributes exp(0).
    return static_cast<float>(-(largest + std::log(sum)));
}

double quantileOf(std::vector<double> scores, double quantile)
{
    if (scores.empty()) {
        throw std::invalid_argument("the quantile of no scores is undefined");
    }
    const double position = std::clamp(quantile, 0.0, 1.0) * static_cast<double>(scores.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, scores.size() - 1);
    std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(below),
                     scores.end());
    const double low = scores[below];
    const double high =
        above == below
            ? low
            : *std::min_element(scores.begin() + static_cast<std::ptrdiff_t>(above), scores.end());
    return low + (high - low) * (position - static_cast<double>(below));
}

} // namespace digitdesk::models
