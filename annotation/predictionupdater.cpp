#include "annotation/predictionupdater.h"

#include "annotation/accesscontrol.h"
#include "annotation/modelregistry.h"
#include "models/predictor.h"
#include "storage/predictionrepository.h"
#include "storage/transaction.h"

namespace digitdesk::annotation {

PredictionUpdate updatePredictions(const QSqlDatabase &db, const QString &workspaceRoot,
                                   models::DeviceRequest device,
                                   const std::function<void(qint64, qint64)> &progress,
                                   const std::atomic<bool> *cancel)
{
    constexpr int Batch = 512;
    PredictionUpdate update;
    const ModelRegistry registry(db, workspaceRoot);
    const auto production = registry.production();
    if (!production) {
        return update;
    }
    update.modelId = *production;
    const auto predictor = registry.openPredictor(*production, device);
    storage::PredictionRepository predictions(db);
    const qint64 total = predictions.countUnlabelledWithoutPrediction(*production);
    for (;;) {
        if (cancel && cancel->load()) {
            break;
        }
        const std::vector<storage::PendingImage> pending =
            predictions.unlabelledWithoutPrediction(*production, Batch);
        if (pending.empty()) {
            break;
        }
        std::vector<uint8_t> pixels;
        pixels.reserve(pending.size() * 784);
        for (const storage::PendingImage &image : pending) {
            pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
        }
        const std::vector<models::Prediction> answers =
            predictor->predict(pixels.data(), static_cast<int>(pending.size()));
        std::vector<storage::StoredPrediction> rows;
        rows.reserve(pending.size());
        for (size_t i = 0; i < pending.size(); ++i) {
            rows.push_back(
                {pending[i].id, answers[i].label, answers[i].confidence, answers[i].probabilities});
        }
        storage::Transaction transaction(db);
        predictions.store(*production, rows);
        transaction.commit();
        update.predicted += static_cast<qint64>(rows.size());
        if (progress) {
            progress(update.predicted, total);
        }
    }
    return update;
}

PredictionUpdate repredictWaiting(const QSqlDatabase &db, const QString &workspaceRoot,
                                  const Principal &who,
                                  const std::function<void(qint64, qint64)> &progress,
                                  const std::atomic<bool> *cancel)
{
    const AccessControl access(db);
    access.require(who, Action::MoveModelAlias, QStringLiteral("predictions"));
    const PredictionUpdate update =
        updatePredictions(db, workspaceRoot, models::DeviceRequest::Auto, progress, cancel);
    access.audit(
        who, Action::MoveModelAlias, QStringLiteral("predictions"),
        QStringLiteral("re-predicted %1 waiting image(s) with model %2%3")
            .arg(update.predicted)
            .arg(update.modelId)
            .arg(cancel != nullptr && cancel->load() ? QStringLiteral(", cancelled") : QString()));
    return update;
}

} // namespace digitdesk::annotation
