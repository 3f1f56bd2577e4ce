#pragma once

#include "annotation/heldoutsplit.h"
#include "models/evaluation.h"
#include "models/trainer.h"

#include <cstdint>
#include <vector>

namespace digitdesk::annotation {

// Appends the pixels and labels of the images at `indices` of `data`, in that order.
void gatherImages(const models::LabelledImages &data, const std::vector<size_t> &indices,
                  std::vector<uint8_t> *pixels, std::vector<uint8_t> *labels);

// The baselines a careful team sets before training (random guess, majority class, nearest
// centroid), fitted on the training part of the trainer's split and measured on the images at
// `testIndices`: `eval` on an IDX pair and the Validation view on a dataset version alike.
models::Baselines baselinesOnSplit(const models::LabelledImages &data, const HeldOutSplit &split,
                                   const std::vector<size_t> &testIndices);

} // namespace digitdesk::annotation
