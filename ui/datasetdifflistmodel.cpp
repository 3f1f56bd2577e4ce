#include "ui/datasetdifflistmodel.h"

#include <QLocale>
#include <QStringList>

namespace digitdesk::ui {

void DatasetDiffListModel::setPage(DatasetDiffPage page)
{
    beginResetModel();
    m_page = std::move(page);
    endResetModel();
}

void DatasetDiffListModel::clear()
{
    setPage({});
}

QString DatasetDiffListModel::labelText(const storage::MaybeLabel &label)
{
    return label ? label->text() : QString();
}

QString DatasetDiffListModel::summary(const DatasetDiffPage &page)
{
    const QLocale locale;
    QString text = tr("%1 → %2: %3 added, %4 removed, %5 relabelled.")
                       .arg(page.fromTag, page.toTag, locale.toString(page.added),
                            locale.toString(page.removed), locale.toString(page.relabelled));
    if (page.added + page.removed + page.relabelled == 0) {
        return text + tr(" The two versions hold the same images and labels.");
    }
    QStringList hidden;
    const auto more = [&](qint64 count, const QString &kind) {
        if (count > ShownPerKind) {
            hidden << tr("%1 more %2").arg(locale.toString(count - ShownPerKind), kind);
        }
    };
    more(page.added, tr("added"));
    more(page.removed, tr("removed"));
    more(page.relabelled, tr("relabelled"));
    if (!hidden.isEmpty()) {
        text += tr(" The first %1 of each kind are shown; %2 are not.")
                    .arg(ShownPerKind)
                    .arg(hidden.join(QStringLiteral(", ")));
    }
    return text;
}

int DatasetDiffListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_page.entries.size());
}

QVariant DatasetDiffListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const DatasetDiffEntry &entry = m_page.entries[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (entry.kind) {
        case DatasetDiffEntry::Kind::Added:
            return tr("added: %1").arg(labelText(entry.after));
        case DatasetDiffEntry::Kind::Removed:
            return tr("removed: %1").arg(labelText(entry.before));
        case DatasetDiffEntry::Kind::Relabelled:
            return tr("relabelled: %1 → %2").arg(labelText(entry.before), labelText(entry.after));
        }
        return {};
    case Qt::DecorationRole:
        return entry.image;
    case Qt::ToolTipRole:
        return tr("%1\nimage %2").arg(data(index, Qt::DisplayRole).toString(), entry.sha256);
    case KindRole:
        return static_cast<int>(entry.kind);
    case BeforeRole:
        return entry.before ? QVariant(entry.before->text()) : QVariant();
    case AfterRole:
        return entry.after ? QVariant(entry.after->text()) : QVariant();
    case Sha256Role:
        return entry.sha256;
    default:
        return {};
    }
}

} // namespace digitdesk::ui
