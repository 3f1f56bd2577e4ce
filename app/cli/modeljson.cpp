#include "app/cli/modeljson.h"

#include "models/oodscore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace digitdesk::app {

QJsonObject toJson(const models::Evaluation &evaluation)
{
    QJsonArray precision;
    QJsonArray recall;
    QJsonArray confusion;
    for (int c = 0; c < models::ClassCount; ++c) {
        precision.append(evaluation.precision[static_cast<size_t>(c)]);
        recall.append(evaluation.recall[static_cast<size_t>(c)]);
        QJsonArray row;
        for (int value : evaluation.confusion[static_cast<size_t>(c)]) {
            row.append(value);
        }
        confusion.append(row);
    }
    return {{QStringLiteral("count"), evaluation.count},
            {QStringLiteral("accuracy"), evaluation.accuracy},
            {QStringLiteral("nll"), evaluation.nll},
            {QStringLiteral("ece"), evaluation.ece},
            {QStringLiteral("precision"), precision},
            {QStringLiteral("recall"), recall},
            {QStringLiteral("confusion"), confusion}};
}

QJsonObject toJson(const models::Baselines &baselines)
{
    return {{QStringLiteral("random_guess_accuracy"), baselines.randomGuessAccuracy},
            {QStringLiteral("random_guess_nll"), baselines.randomGuessNll},
            {QStringLiteral("majority_class"), baselines.majorityClass},
            {QStringLiteral("majority_accuracy"), baselines.majorityAccuracy},
            {QStringLiteral("nearest_centroid_accuracy"), baselines.nearestCentroidAccuracy}};
}

QJsonObject hyperparametersJson(const models::TrainingOptions &options)
{
    return {{QStringLiteral("architecture"), models::toString(options.architecture)},
            {QStringLiteral("epochs"), options.epochs},
            {QStringLiteral("batch_size"), options.batchSize},
            {QStringLiteral("learning_rate"), options.learningRate},
            {QStringLiteral("weight_decay"), options.weightDecay},
            {QStringLiteral("optimizer"), QStringLiteral("AdamW")},
            {QStringLiteral("schedule"),
             options.oneCycle ? QStringLiteral("one-cycle") : QStringLiteral("constant")},
            {QStringLiteral("augmentation"),
             options.augment ? QStringLiteral("rotation 10 deg, scale 0.9-1.1, shift 2 px")
                             : QStringLiteral("none")},
            {QStringLiteral("seed"), QString::number(options.seed)},
            {QStringLiteral("split_seed"), QString::number(options.splitSeed)},
            {QStringLiteral("validation_fraction"), options.validationFraction},
            {QStringLiteral("threads"), options.threads}};
}

QJsonObject metricsJson(const models::TrainingResult &result)
{
    QJsonObject metrics{{QStringLiteral("validation"), toJson(result.raw)},
                        {QStringLiteral("validation_calibrated"), toJson(result.calibrated)},
                        {QStringLiteral("temperature"), result.temperature},
                        {QStringLiteral("baselines"), toJson(result.baselines)},
                        {QStringLiteral("train_count"), result.trainCount},
                        {QStringLiteral("validation_count"), result.validationCount},
                        {QStringLiteral("epochs_done"), result.epochsDone},
                        {QStringLiteral("seconds"), result.seconds},
                        {QStringLiteral("images_per_second"), result.imagesPerSecond},
                        {QStringLiteral("device"), result.device}};
    if (result.oodThreshold) {
        metrics.insert(QStringLiteral("ood"),
                       QJsonObject{{QStringLiteral("score"), QLatin1String(models::OodScoreName)},
                                   {QStringLiteral("threshold"), *result.oodThreshold},
                                   {QStringLiteral("quantile"), models::OodQuantile}});
    }
    return metrics;
}

annotation::TrainedModel trainedModel(const QString &file, const models::TrainingOptions &options,
                                      const models::TrainingResult &result,
                                      const QString &hyperparameters, const QString &dataDigest)
{
    annotation::TrainedModel trained;
    trained.file = file;
    trained.architecture = options.architecture;
    trained.temperature = result.temperature;
    trained.hyperparameters = hyperparameters;
    trained.metrics =
        QString::fromUtf8(QJsonDocument(metricsJson(result)).toJson(QJsonDocument::Compact));
    trained.dataDigest = dataDigest;
    return trained;
}

} // namespace digitdesk::app
