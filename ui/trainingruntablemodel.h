#pragma once

#include "storage/trainingrunrepository.h"

#include <QAbstractTableModel>

#include <vector>

namespace digitdesk::ui {

// The training runs, newest first: who started which version with what, how it ended, how long
// it took, its held-out accuracy and the model it made. A failed or cancelled run's message
// and last log lines are its tooltip.
class TrainingRunTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingRunTableModel)

public:
    enum Column
    {
        RunColumn,
        StartedColumn,
        ByColumn,
        DatasetColumn,
        StatusColumn,
        DurationColumn,
        AccuracyColumn,
        ModelColumn,
        WhyColumn,
        NB_COLUMNS
    };
    static constexpr int RunIdRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;
    void setRuns(std::vector<storage::TrainingRunRecord> runs);
    const storage::TrainingRunRecord &run(int row) const
    {
        return m_runs[static_cast<size_t>(row)];
    }
    int rowOf(qint64 runId) const;

    // "4 min 05 s", "1 h 02 min".
    static QString duration(qint64 seconds);
    // The held-out accuracy in a run's metrics JSON, -1 when it has none.
    static double heldOutAccuracy(const QString &metricsJson);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<storage::TrainingRunRecord> m_runs;
};

} // namespace digitdesk::ui
