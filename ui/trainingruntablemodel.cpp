#include "ui/trainingruntablemodel.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace digitdesk::ui {

void TrainingRunTableModel::setRuns(std::vector<storage::TrainingRunRecord> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

int TrainingRunTableModel::rowOf(qint64 runId) const
{
    for (size_t row = 0; row < m_runs.size(); ++row) {
        if (m_runs[row].id == runId) {
            return static_cast<int>(row);
        }
    }
    return -1;
}

QString TrainingRunTableModel::duration(qint64 seconds)
{
    if (seconds < 60) {
        return tr("%1 s").arg(seconds);
    }
    if (seconds < 3600) {
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }
    return tr("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
}

double TrainingRunTableModel::heldOutAccuracy(const QString &metricsJson)
{
    const QJsonObject metrics = QJsonDocument::fromJson(metricsJson.toUtf8()).object();
    return metrics.value(QStringLiteral("validation"))
        .toObject()
        .value(QStringLiteral("accuracy"))
        .toDouble(-1);
}

int TrainingRunTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int TrainingRunTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant TrainingRunTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const storage::TrainingRunRecord &run = m_runs[static_cast<size_t>(index.row())];
    if (role == RunIdRole) {
        return run.id;
    }
    if (role == Qt::ToolTipRole) {
        QString tip = tr("Run %1 by %2, %3").arg(run.id).arg(run.startedBy, run.status);
        if (!run.datasetCommit.isEmpty()) {
            tip += tr("\nDataset %1, commit %2").arg(run.datasetTag, run.datasetCommit);
        } else {
            tip += tr("\nData: %1").arg(run.dataSource);
        }
        if (!run.message.isEmpty()) {
            tip += QStringLiteral("\n") + run.message;
        }
        if (!run.logTail.isEmpty()) {
            tip += tr("\nLast lines:\n") + run.logTail;
        }
        return tip;
    }
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == RunColumn || index.column() == DurationColumn ||
                             index.column() == AccuracyColumn || index.column() == ModelColumn;
        return QVariant::fromValue(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case RunColumn:
        return run.id;
    case StartedColumn:
        return run.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case ByColumn:
        return run.startedBy;
    case DatasetColumn:
        // A run on IDX files names them in its tooltip: a path would crowd out the rest.
        return run.datasetTag.isEmpty() ? tr("(files)") : run.datasetTag;
    case StatusColumn:
        return run.status;
    case DurationColumn: {
        const QDateTime end =
            run.finishedAt.isValid() ? run.finishedAt : QDateTime::currentDateTimeUtc();
        return duration(std::max<qint64>(0, run.startedAt.secsTo(end)));
    }
    case AccuracyColumn: {
        const double accuracy = heldOutAccuracy(run.metrics);
        return accuracy < 0 ? QString() : QStringLiteral("%1%").arg(accuracy * 100, 0, 'f', 2);
    }
    case ModelColumn:
        return run.modelId > 0 ? QVariant(run.modelId) : QVariant(QString());
    case WhyColumn:
        return run.startedBecause;
    default:
        return {};
    }
}

QVariant TrainingRunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case RunColumn:
        return tr("Run");
    case StartedColumn:
        return tr("Started");
    case ByColumn:
        return tr("By");
    case DatasetColumn:
        return tr("Dataset");
    case StatusColumn:
        return tr("Status");
    case DurationColumn:
        return tr("Duration");
    case AccuracyColumn:
        return tr("Held-out accuracy");
    case ModelColumn:
        return tr("Model");
    case WhyColumn:
        return tr("Why");
    default:
        return {};
    }
}

} // namespace digitdesk::ui
