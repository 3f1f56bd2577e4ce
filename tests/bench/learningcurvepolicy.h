#pragma once

// How each policy of learning_curve orders the pool: the score it asks the highest first, the
// stratum of the round-robin policies, and its name on the command line and in the CSV.

#include "models/predictor.h"
#include "tests/bench/learningcurvesim.h"

#include <QtGlobal>

#include <vector>

namespace digitdesk::bench {

// Higher is asked first.
double scoreOf(Policy policy, const models::Prediction &prediction);
// The stratum an answer falls in for the round-robin policies.
int stratumOf(Policy policy, const models::Prediction &prediction);
// The pool in the order `policy` asks it: by score, or by each item's rank within its stratum
// and then by score, so every stratum gives its most uncertain item before any gives a second.
std::vector<qint64> rankedPool(Policy policy, const std::vector<qint64> &pool,
                               const std::vector<models::Prediction> &answers);

} // namespace digitdesk::bench
