#pragma once

#include "annotation/userservice.h"

#include <QAbstractTableModel>

#include <vector>

namespace digitdesk::ui {

class UserTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UserTableModel)

public:
    enum Column
    {
        NameColumn,
        RoleColumn,
        StateColumn,
        CreatedColumn,
        NB_COLUMNS
    };

    using QAbstractTableModel::QAbstractTableModel;
    void setUsers(std::vector<annotation::UserSummary> users);
    const annotation::UserSummary &user(int row) const { return m_users[static_cast<size_t>(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<annotation::UserSummary> m_users;
};

} // namespace digitdesk::ui
