#pragma once

#include "annotation/qualityfigures.h"

#include <QAbstractTableModel>

#include <vector>

namespace digitdesk::ui {

// Cohen's kappa of each pair of annotators on the items both labelled, one row per pair.
class KappaTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KappaTableModel)

public:
    enum Column
    {
        FirstAnnotatorColumn,
        SecondAnnotatorColumn,
        SharedItemsColumn,
        KappaColumn,
        NB_COLUMNS
    };
    // The kappa as a number, for sorting and tests; DisplayRole has it rounded as text.
    static constexpr int KappaRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;
    void setPairs(std::vector<annotation::PairAgreement> pairs);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<annotation::PairAgreement> m_pairs;
};

} // namespace digitdesk::ui
