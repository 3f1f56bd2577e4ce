#pragma once

#include <string>
#include <vector>

namespace digitdesk::models {
struct BatchAnswer;
struct Prediction;
} // namespace digitdesk::models

namespace digitdesk::app {

// A model that answers NaN has failed: its answer is neither sent nor captured.
bool allFinite(const std::vector<models::Prediction> &predictions);

// /v1/predict's answer: one prediction object for a single image, else
// {"model_version", "predictions": [...]} for a JSON batch.
std::string predictAnswer(const models::BatchAnswer &result, bool batch);

} // namespace digitdesk::app
