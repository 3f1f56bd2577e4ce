#pragma once

#include "annotation/releasesignoff.h"
#include "storage/modelrepository.h"

#include <QAbstractTableModel>

#include <map>
#include <vector>

namespace digitdesk::ui {

// The registry, newest first: id, aliases, release status, architecture, dataset version,
// held-out accuracy, who made it and when. The production model's row is bold.
class ModelTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelTableModel)

public:
    enum Column
    {
        IdColumn,
        AliasColumn,
        ReleaseColumn,
        ArchitectureColumn,
        DatasetColumn,
        AccuracyColumn,
        ByColumn,
        CreatedColumn,
        NB_COLUMNS
    };
    static constexpr int ModelIdRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;
    // `datasetTags` names the version of each dataset commit this workspace knows.
    void setModels(std::vector<storage::ModelRecord> models, std::map<QString, qint64> aliases,
                   std::map<QString, QString> datasetTags);
    // Each model's release status (ML QA's sign-off); models left out show none.
    void setReleases(std::map<qint64, annotation::ReleaseStatus> releases);
    const storage::ModelRecord &model(int row) const { return m_models[static_cast<size_t>(row)]; }
    int rowOf(qint64 modelId) const;
    QStringList aliasesOf(qint64 modelId) const;
    QString datasetTagOf(const storage::ModelRecord &model) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<storage::ModelRecord> m_models;
    std::map<QString, qint64> m_aliases;
    std::map<QString, QString> m_datasetTags;
    std::map<qint64, annotation::ReleaseStatus> m_releases;
};

} // namespace digitdesk::ui
