#pragma once

#include "models/trainer.h"

#include <cstddef>
#include <vector>

namespace digitdesk::annotation {

// Indices into a training set, in the order the trainer takes them.
struct HeldOutSplit
{
    std::vector<size_t> train;
    std::vector<size_t> heldOut; // what a model trained on the set never saw
};

// The trainer's split (models::Trainer): a Fisher-Yates permutation of 0..count-1 drawn from
// mt19937_64 seeded with `splitSeed`, whose last floor(count * validationFraction) indices are
// held out. The indices count the images of the IDX pair the trainer reads, which for a dataset
// version is DatasetService::trainingFiles(): its digit rows in labels.csv order.
HeldOutSplit heldOutSplit(size_t count, const models::TrainingOptions &options = {});

} // namespace digitdesk::annotation
