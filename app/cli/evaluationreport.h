#pragma once

#include "models/evaluation.h"

#include <QString>

namespace digitdesk::app {

// The evaluation as a person reads it on a terminal: accuracy, per-class precision and
// recall, the confusion matrix, NLL and ECE before and after temperature scaling, and the
// baselines beside them.
QString formatEvaluation(const models::Evaluation &raw, const models::Evaluation &calibrated,
                         double temperature, const models::Baselines &baselines);

} // namespace digitdesk::app
