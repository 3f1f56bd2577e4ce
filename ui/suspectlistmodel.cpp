#include "ui/suspectlistmodel.h"

#include "ui/imagelistmodel.h"

namespace digitdesk::ui {

void SuspectListModel::setSuspects(std::vector<storage::LabelSuspectRow> suspects,
                                   const std::vector<QByteArray> &pixels)
{
    beginResetModel();
    m_suspects = std::move(suspects);
    m_images.clear();
    for (size_t i = 0; i < m_suspects.size(); ++i) {
        const QImage image = i < pixels.size() && pixels[i].size() == 28 * 28
                                 ? ImageListModel::toImage(pixels[i])
                                 : QImage();
        m_images.push_back(image.isNull()
                               ? image
                               : image.scaled(ThumbnailSide, ThumbnailSide, Qt::KeepAspectRatio,
                                              Qt::FastTransformation));
    }
    endResetModel();
}

void SuspectListModel::clear()
{
    setSuspects({}, {});
}

int SuspectListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_suspects.size());
}

QVariant SuspectListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const storage::LabelSuspectRow &suspect = m_suspects[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        QString text = tr("%1 → %2 (%3)")
                           .arg(suspect.givenLabel)
                           .arg(suspect.suspectedLabel)
                           .arg(suspect.confidence, 0, 'f', 2);
        if (suspect.decidedAt.isValid()) {
            text +=
                suspect.decision == QStringLiteral("confirmed") ? tr("\nconfirmed") : tr("\nkept");
        } else if (suspect.sentAt.isValid()) {
            text += tr("\nin review");
        }
        return text;
    }
    case Qt::DecorationRole:
        return m_images[static_cast<size_t>(index.row())];
    case Qt::ToolTipRole:
        return tr("#%1: given %2, suspected %3 with confidence %4\nimage %5")
            .arg(suspect.rank)
            .arg(suspect.givenLabel)
            .arg(suspect.suspectedLabel)
            .arg(suspect.confidence, 0, 'f', 3)
            .arg(suspect.sha256);
    case Qt::AccessibleTextRole:
        return tr("given %1, suspected %2, confidence %3")
            .arg(suspect.givenLabel)
            .arg(suspect.suspectedLabel)
            .arg(suspect.confidence, 0, 'f', 2);
    case SuspectIdRole:
        return suspect.id;
    case GivenRole:
        return suspect.givenLabel;
    case SuspectedRole:
        return suspect.suspectedLabel;
    case ConfidenceRole:
        return suspect.confidence;
    case Sha256Role:
        return suspect.sha256;
    default:
        return {};
    }
}

} // namespace digitdesk::ui
