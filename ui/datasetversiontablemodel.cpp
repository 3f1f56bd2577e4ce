#include "ui/datasetversiontablemodel.h"

#include <QLocale>
#include <QTextDocument>

#include <algorithm>

namespace digitdesk::ui {

void DatasetVersionTableModel::setVersions(std::vector<annotation::DatasetVersion> versions)
{
    std::stable_sort(versions.begin(), versions.end(),
                     [](const annotation::DatasetVersion &a, const annotation::DatasetVersion &b) {
                         if (a.createdAt != b.createdAt) {
                             return a.createdAt > b.createdAt;
                         }
                         return a.number > b.number;
                     });
    beginResetModel();
    m_versions = std::move(versions);
    endResetModel();
}

int DatasetVersionTableModel::rowOf(const QString &tag) const
{
    const auto found = std::find_if(
        m_versions.begin(), m_versions.end(),
        [&tag](const annotation::DatasetVersion &version) { return version.tag == tag; });
    return found == m_versions.end() ? -1 : static_cast<int>(found - m_versions.begin());
}

int DatasetVersionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_versions.size());
}

int DatasetVersionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NB_COLUMNS;
}

QVariant DatasetVersionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const annotation::DatasetVersion &version = m_versions[static_cast<size_t>(index.row())];
    if (role == TagRole) {
        return version.tag;
    }
    if (role == Qt::TextAlignmentRole && index.column() == ImagesColumn) {
        return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case DateColumn:
            return version.createdAt.toUTC().toString(Qt::ISODate);
        case MessageColumn:
            // A tooltip guesses at markup; escaped, the message shows as typed.
            return Qt::convertFromPlainText(version.message, Qt::WhiteSpaceNormal);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case TagColumn:
        return version.tag;
    case DateColumn:
        return version.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case AuthorColumn:
        return version.author;
    case ImagesColumn:
        return QLocale().toString(version.imageCount);
    case MessageColumn:
        return version.message.section(QLatin1Char('\n'), 0, 0);
    default:
        return {};
    }
}

QVariant DatasetVersionTableModel::headerData(int section, Qt::Orientation orientation,
                                              int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case TagColumn:
        return tr("Version");
    case DateColumn:
        return tr("Date");
    case AuthorColumn:
        return tr("Author");
    case ImagesColumn:
        return tr("Images");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace digitdesk::ui
