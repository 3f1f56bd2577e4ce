#pragma once

#include "storage/labelsuspectrepository.h"

#include <QAbstractListModel>
#include <QByteArray>
#include <QImage>

#include <vector>

namespace digitdesk::ui {

// A data check's suspected label errors as thumbnails with their evidence: given label,
// suspected label, confidence, and whether a reviewer has it or decided on it.
class SuspectListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SuspectListModel)

public:
    enum Role
    {
        SuspectIdRole = Qt::UserRole,
        GivenRole,
        SuspectedRole,
        ConfidenceRole,
        Sha256Role
    };

    static constexpr int ThumbnailSide = 56;

    using QAbstractListModel::QAbstractListModel;

    // `pixels` holds each suspect's 28x28 image, in the same order.
    void setSuspects(std::vector<storage::LabelSuspectRow> suspects,
                     const std::vector<QByteArray> &pixels);
    void clear();
    const storage::LabelSuspectRow &suspect(int row) const { return m_suspects.at(size_t(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    std::vector<storage::LabelSuspectRow> m_suspects;
    std::vector<QImage> m_images;
};

} // namespace digitdesk::ui
