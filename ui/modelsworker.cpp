#include "ui/modelsworker.h"

#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "annotation/trainingruns.h"
#include "storage/connection.h"

#include <algorithm>

namespace digitdesk::ui {
namespace {

QString reasonOf(const std::exception &error)
{
    return QString::fromUtf8(error.what());
}

std::vector<std::pair<QString, int>> mostFirst(const std::map<QString, int> &counts)
{
    std::vector<std::pair<QString, int>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &left, const auto &right) {
        return left.second > right.second;
    });
    return sorted;
}

} // namespace

ModelsWorker::ModelsWorker(QString databasePath, QString workspaceRoot, annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_root(std::move(workspaceRoot)),
      m_who(std::move(who))
{
    qRegisterMetaType<RegistrySnapshot>();
    qRegisterMetaType<ModelLineageSummary>();
    qRegisterMetaType<annotation::ModelComparisonResult>();
}

ModelsWorker::~ModelsWorker() = default;

void ModelsWorker::open()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_connection) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
    }
}

void ModelsWorker::loadRegistry()
{
    try {
        open();
        const annotation::ModelRegistry registry(m_connection->db(), m_root);
        const annotation::DatasetService datasets(m_connection->db(), m_root);
        annotation::ModelRegistry::Snapshot registered = registry.snapshot(m_who);
        RegistrySnapshot snapshot;
        snapshot.models = std::move(registered.models);
        snapshot.aliases = std::move(registered.aliases);
        snapshot.history = std::move(registered.history);
        const annotation::ReleaseSignOff signOff(m_connection->db());
        for (const storage::ModelRecord &model : snapshot.models) {
            snapshot.releases.emplace(model.id, signOff.statusOf(model.id));
        }
        snapshot.signOffWaived = signOff.waived();
        for (const annotation::DatasetVersion &version : datasets.versions(m_who)) {
            snapshot.datasetTags.emplace(version.commitId, version.tag);
            snapshot.datasetImages.emplace(version.commitId, version.imageCount);
        }
        Q_EMIT registryReady(snapshot);
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Loading the registry"), reasonOf(error));
    }
}

void ModelsWorker::loadLineage(qint64 modelId)
{
    ModelLineageSummary summary;
    summary.modelId = modelId;
    try {
        open();
        const annotation::ModelRegistry registry(m_connection->db(), m_root);
        const annotation::TrainingRuns runs(m_connection->db(), m_root);
        const storage::ModelRecord model = registry.find(modelId);
        summary.datasetCommit = model.datasetCommit;
        if (model.trainingRunId > 0) {
            summary.run = runs.find(m_who, model.trainingRunId);
        }
        if (model.datasetCommit.isEmpty()) {
            summary.problem = model.trainingRunId > 0
                                  ? tr("trained on files outside the dataset versions")
                                  : tr("imported, not trained here");
        } else {
            const annotation::DatasetService datasets(m_connection->db(), m_root);
            const annotation::ModelLineage lineage = datasets.lineage(m_who, modelId);
            summary.datasetTag = lineage.version.tag;
            summary.labelCount = static_cast<int>(lineage.rows.size());
            std::map<QString, int> annotators;
            std::map<QString, int> reviewers;
            for (const annotation::DatasetRow &row : lineage.rows) {
                ++annotators[row.annotator];
                ++reviewers[row.reviewer];
            }
            summary.annotators = mostFirst(annotators);
            summary.reviewers = mostFirst(reviewers);
        }
    } catch (const std::exception &error) {
        summary.problem = reasonOf(error);
    }
    Q_EMIT lineageReady(summary);
}

QString ModelsWorker::predictNow(bool asked)
{
    // The queue orders unlabelled images by production's confidence: it follows the move.
    try {
        qint64 waiting = 0;
        const auto progress = [this, &waiting](qint64 done, qint64 total) {
            waiting = total;
            Q_EMIT predictionProgressed(done, total);
        };
        const annotation::PredictionUpdate update =
            asked ? annotation::repredictWaiting(m_connection->db(), m_root, m_who, progress,
                                                 &m_predictionCancel)
                  : annotation::updatePredictions(m_connection->db(), m_root,
                                                  models::DeviceRequest::Auto, progress,
                                                  &m_predictionCancel);
        if (m_predictionCancel.load()) {
            return waiting > 0 ? tr(" Predictions stopped by Cancel: %1 of %2 waiting images have "
                                    "the production model's; Re-predict waiting images does the "
                                    "rest.")
                                     .arg(update.predicted)
                                     .arg(waiting)
                               : tr(" Predictions stopped by Cancel before the first batch; "
                                    "Re-predict waiting images does them.");
        }
        return update.predicted > 0 ? tr(" Its predictions are stored for %1 unlabelled images.")
                                          .arg(update.predicted)
                                    : QString();
    } catch (const std::exception &error) {
        return tr(" Its predictions could not be stored: %1").arg(reasonOf(error));
    }
}

void ModelsWorker::repredict()
{
    try {
        open();
        if (!annotation::ModelRegistry(m_connection->db(), m_root).production()) {
            Q_EMIT predictionsStored(tr("No model is production: nothing to predict with."));
            return;
        }
        const QString told = predictNow(true);
        Q_EMIT predictionsStored(told.isEmpty()
                                     ? tr("Every waiting image has the production model's "
                                          "prediction already.")
                                     : told.trimmed());
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Re-predicting the waiting images"), reasonOf(error));
    }
}

void ModelsWorker::promote(qint64 modelId, const QString &reason)
{
    try {
        open();
        annotation::ModelRegistry registry(m_connection->db(), m_root);
        registry.promote(m_who, modelId, reason);
        Q_EMIT aliasMoved(tr("Model %1 is production now.").arg(modelId) + predictNow());
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Promoting model %1").arg(modelId), reasonOf(error));
    }
    loadRegistry();
}

void ModelsWorker::rollBack(const QString &reason)
{
    try {
        open();
        annotation::ModelRegistry registry(m_connection->db(), m_root);
        const qint64 modelId = registry.rollBack(m_who, reason);
        Q_EMIT aliasMoved(tr("Rolled back: model %1 is production again.").arg(modelId) +
                          predictNow());
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Rolling back"), reasonOf(error));
    }
    loadRegistry();
}

void ModelsWorker::compare(qint64 modelA, qint64 modelB, const QString &datasetTag)
{
    try {
        open();
        const annotation::ModelComparison comparison(m_connection->db(), m_root);
        annotation::ComparisonRequest request;
        request.modelA = QString::number(modelA);
        request.modelB = QString::number(modelB);
        request.datasetTag = datasetTag;
        const annotation::ModelComparisonResult result = comparison.compare(
            m_who, request,
            [this](qint64 done, qint64 total) { Q_EMIT comparisonProgressed(done, total); },
            &m_cancel);
        Q_EMIT comparisonReady(result);
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Comparing model %1 with model %2").arg(modelA).arg(modelB),
                      reasonOf(error));
    }
}

} // namespace digitdesk::ui
