#include "annotation/heldoutsplit.h"

#include <cmath>
#include <numeric>
#include <random>

namespace digitdesk::annotation {

HeldOutSplit heldOutSplit(size_t count, const models::TrainingOptions &options)
{
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(options.splitSeed);
    for (size_t i = count; i > 1; --i) {
        std::swap(order[i - 1], order[random() % i]);
    }
    const auto held = static_cast<std::ptrdiff_t>(
        std::floor(static_cast<double>(count) * options.validationFraction));
    HeldOutSplit split;
    split.train.assign(order.begin(), order.end() - held);
    split.heldOut.assign(order.end() - held, order.end());
    return split;
}

} // namespace digitdesk::annotation
