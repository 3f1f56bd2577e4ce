#include "ui/modeltablemodel.h"

#include "ui/trainingruntablemodel.h"

#include <QFont>

#include <algorithm>

namespace digitdesk::ui {

void ModelTableModel::setModels(std::vector<storage::ModelRecord> models,
                                std::map<QString, qint64> aliases,
                                std::map<QString, QString> datasetTags)
{
    beginResetModel();
    m_models = std::move(models);
    std::sort(m_models.begin(), m_models.end(),
              [](const auto &left, const auto &right) { return left.id > right.id; });
    m_aliases = std::move(aliases);
    m_datasetTags = std::move(datasetTags);
    endResetModel();
}

void ModelTableModel::setReleases(std::map<qint64, annotation::ReleaseStatus> releases)
{
    m_releases = std::move(releases);
    if (!m_models.empty()) {
        Q_EMIT dataChanged(index(0, ReleaseColumn), index(rowCount() - 1, ReleaseColumn));
    }
}

int ModelTableModel::rowOf(qint64 modelId) const
{
    for (size_t row = 0; row < m_models.size(); ++row) {
        if (m_models[row].id == modelId) {
            return static_cast<int>(row);
        }
    }
    return -1;
}

QStringList ModelTableModel::aliasesOf(qint64 modelId) const
{
    QStringList names;
    for (const auto &[alias, id] : m_aliases) {
        if (id == modelId) {
            names << alias;
        }
    }
    return names;
}

QString ModelTableModel::datasetTagOf(const storage::ModelRecord &model) const
{
    if (model.datasetCommit.isEmpty()) {
        return {};
    }
    const auto found = m_datasetTags.find(model.datasetCommit);
    return found != m_datasetTags.end() ? found->second : model.datasetCommit.left(12);
}

int ModelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_models.size());
}

int ModelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant ModelTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const storage::ModelRecord &model = m_models[static_cast<size_t>(index.row())];
    if (role == ModelIdRole) {
        return model.id;
    }
    if (role == Qt::FontRole && aliasesOf(model.id).contains(QStringLiteral("production"))) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::ToolTipRole) {
        return model.note.isEmpty() ? QVariant() : QVariant(model.note);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case IdColumn:
        return model.id;
    case AliasColumn:
        return aliasesOf(model.id).join(QStringLiteral(", "));
    case ReleaseColumn: {
        const auto found = m_releases.find(model.id);
        return found == m_releases.end() ? QString() : annotation::toString(found->second);
    }
    case ArchitectureColumn:
        return model.architecture;
    case DatasetColumn: {
        const QString tag = datasetTagOf(model);
        return tag.isEmpty() ? tr("(not a version)") : tag;
    }
    case AccuracyColumn: {
        const double accuracy = TrainingRunTableModel::heldOutAccuracy(model.metrics);
        return accuracy < 0 ? QString() : QStringLiteral("%1%").arg(accuracy * 100, 0, 'f', 2);
    }
    case ByColumn:
        return model.createdBy;
    case CreatedColumn:
        return model.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    default:
        return {};
    }
}

QVariant ModelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case IdColumn:
        return tr("Model");
    case AliasColumn:
        return tr("Alias");
    case ReleaseColumn:
        return tr("Release");
    case ArchitectureColumn:
        return tr("Architecture");
    case DatasetColumn:
        return tr("Dataset");
    case AccuracyColumn:
        return tr("Held-out accuracy");
    case ByColumn:
        return tr("By");
    case CreatedColumn:
        return tr("Created");
    default:
        return {};
    }
}

} // namespace digitdesk::ui
