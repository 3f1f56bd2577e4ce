#pragma once

#include "annotation/datasetservice.h"

#include <QAbstractTableModel>

#include <vector>

namespace digitdesk::ui {

// The dataset versions, newest first, one row each: tag, date, author, images and the first
// line of the message. Text people typed (author, message) is shown as typed, never as markup.
class DatasetVersionTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetVersionTableModel)

public:
    enum Column
    {
        TagColumn,
        DateColumn,
        AuthorColumn,
        ImagesColumn,
        MessageColumn,
        NB_COLUMNS
    };
    // The version's tag ("v3") in every column, whatever the display says.
    static constexpr int TagRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;
    // Replaces the rows; they are sorted newest first (by date, then by number).
    void setVersions(std::vector<annotation::DatasetVersion> versions);
    const annotation::DatasetVersion &version(int row) const
    {
        return m_versions[static_cast<size_t>(row)];
    }
    // The row of the version tagged `tag`, -1 when there is none.
    int rowOf(const QString &tag) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<annotation::DatasetVersion> m_versions;
};

} // namespace digitdesk::ui
