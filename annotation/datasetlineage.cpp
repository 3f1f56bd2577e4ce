// DatasetService: which models learnt from a version, and the files a model trains on.
#include "annotation/datasetservice.h"

#include "annotation/private/datasetexporter.h"
#include "annotation/private/datasetrecords.h"
#include "annotation/userservice.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"

#include <QDir>

#include <algorithm>

namespace digitdesk::annotation {

std::vector<qint64> DatasetService::modelsTrainedOn(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return storage::DatasetVersionRepository(m_db).modelsTrainedOn(
        datasetrecords::findRecord(m_db, tag).commitId);
}

ModelLineage DatasetService::lineage(const Principal &who, qint64 modelId) const
{
    m_access.require(who, Action::ViewDatasets, QStringLiteral("model:%1").arg(modelId));
    recoverOnce();
    const auto model = storage::ModelRepository(m_db).findModel(modelId);
    if (!model) {
        throw InvalidRequest(QStringLiteral("there is no model %1").arg(modelId));
    }
    if (model->datasetCommit.isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("model %1 was not trained on a dataset version").arg(modelId));
    }
    // The workspace's own version first, should a pulled one name the same commit.
    std::vector<storage::DatasetVersionRecord> records =
        storage::DatasetVersionRepository(m_db).list();
    std::stable_sort(records.begin(), records.end(), [](const auto &a, const auto &b) {
        return a.origin.isEmpty() && !b.origin.isEmpty();
    });
    for (const storage::DatasetVersionRecord &record : records) {
        if (record.commitId == model->datasetCommit) {
            return {modelId, datasetrecords::toVersion(record),
                    datasetrecords::readRows(datasetrecords::openGit(m_root), record.tag,
                                             record.commitId)};
        }
    }
    throw InvalidRequest(QStringLiteral("model %1 was trained on commit %2, which is no dataset "
                                        "version of this workspace")
                             .arg(modelId)
                             .arg(model->datasetCommit));
}

std::pair<QString, QString> DatasetService::trainingFiles(const Principal &who, const QString &tag,
                                                          const QString &folder) const
{
    m_access.require(who, Action::TrainModel, tag);
    return versionFiles(who, tag, folder);
}

std::pair<QString, QString> DatasetService::versionFiles(const Principal &who, const QString &tag,
                                                         const QString &folder) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    const storage::DatasetVersionRecord record = datasetrecords::findRecord(m_db, tag);
    if (!QDir().mkpath(folder)) {
        throw InvalidRequest(QStringLiteral("cannot create folder %1").arg(folder));
    }
    const DatasetExporter exporter =
        datasetrecords::exporterOf(datasetrecords::openGit(m_root), tag, record.commitId);
    const DatasetExport written = exporter.idx(folder);
    return {written.files.value(0), written.files.value(1)};
}

} // namespace digitdesk::annotation
