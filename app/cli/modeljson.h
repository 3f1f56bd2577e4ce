#pragma once

#include "annotation/modelregistry.h"
#include "models/evaluation.h"
#include "models/trainer.h"

#include <QJsonObject>

namespace digitdesk::app {

QJsonObject toJson(const models::Evaluation &evaluation);
QJsonObject toJson(const models::Baselines &baselines);
QJsonObject hyperparametersJson(const models::TrainingOptions &options);
QJsonObject metricsJson(const models::TrainingResult &result);

// What the registry records of a finished run whose model the trainer saved at `file`.
annotation::TrainedModel trainedModel(const QString &file, const models::TrainingOptions &options,
                                      const models::TrainingResult &result,
                                      const QString &hyperparameters, const QString &dataDigest);

} // namespace digitdesk::app
