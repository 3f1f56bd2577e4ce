#include "ui/kappatablemodel.h"

namespace digitdesk::ui {

void KappaTableModel::setPairs(std::vector<annotation::PairAgreement> pairs)
{
    beginResetModel();
    m_pairs = std::move(pairs);
    endResetModel();
}

int KappaTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_pairs.size());
}

int KappaTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant KappaTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const annotation::PairAgreement &pair = m_pairs[static_cast<size_t>(index.row())];
    if (role == KappaRole) {
        return pair.kappa;
    }
    if (role == Qt::TextAlignmentRole && index.column() >= SharedItemsColumn) {
        return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case FirstAnnotatorColumn:
        return pair.first;
    case SecondAnnotatorColumn:
        return pair.second;
    case SharedItemsColumn:
        return pair.shared;
    case KappaColumn:
        return QString::number(pair.kappa, 'f', 2);
    default:
        return {};
    }
}

QVariant KappaTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case FirstAnnotatorColumn:
        return tr("Annotator");
    case SecondAnnotatorColumn:
        return tr("and annotator");
    case SharedItemsColumn:
        return tr("Shared items");
    case KappaColumn:
        return tr("Cohen's kappa");
    default:
        return {};
    }
}

} // namespace digitdesk::ui
