#pragma once

#include "models/evaluation.h"
#include "models/trainer.h"

#include <QJsonObject>

namespace digitdesk::app {

QJsonObject toJson(const models::Evaluation &evaluation);
QJsonObject toJson(const models::Baselines &baselines);
QJsonObject hyperparametersJson(const models::TrainingOptions &options);
QJsonObject metricsJson(const models::TrainingResult &result);

} // namespace digitdesk::app
