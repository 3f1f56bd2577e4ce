#include "ui/usertablemodel.h"

namespace digitdesk::ui {

void UserTableModel::setUsers(std::vector<annotation::UserSummary> users)
{
    beginResetModel();
    m_users = std::move(users);
    endResetModel();
}

int UserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_users.size());
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) ||
        (role != Qt::DisplayRole && role != Qt::ToolTipRole)) {
        return {};
    }
    const annotation::UserSummary &user = m_users[static_cast<size_t>(index.row())];
    // The view elides long names; the tooltip shows them whole.
    switch (index.column()) {
    case NameColumn:
        return user.name;
    case RoleColumn:
        return annotation::toString(user.role);
    case StateColumn:
        return user.disabled ? tr("disabled") : tr("active");
    case CreatedColumn:
        return tr("%1 by %2")
            .arg(user.createdAt.toLocalTime().toString(Qt::ISODate), user.createdBy);
    default:
        return {};
    }
}

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Name");
    case RoleColumn:
        return tr("Role");
    case StateColumn:
        return tr("State");
    case CreatedColumn:
        return tr("Created");
    default:
        return {};
    }
}

} // namespace digitdesk::ui
