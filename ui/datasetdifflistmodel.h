#pragma once

#include "storage/label.h"

#include <QAbstractListModel>
#include <QImage>
#include <QString>

#include <vector>

namespace digitdesk::ui {

// One image that differs between two dataset versions, with its 28x28 thumbnail.
struct DatasetDiffEntry
{
    enum class Kind
    {
        Added,
        Removed,
        Relabelled
    };
    Kind kind = Kind::Added;
    QString sha256;
    storage::MaybeLabel before; // the label in the older version (removed and relabelled images)
    storage::MaybeLabel after;  // the label in the newer version (added and relabelled images)
    QImage image;               // null when the pixels could not be read
};

// What changed from one version to a newer one: every count, and the first ShownPerKind
// images of each kind.
struct DatasetDiffPage
{
    QString fromTag;
    QString toTag;
    qint64 added = 0;
    qint64 removed = 0;
    qint64 relabelled = 0;
    std::vector<DatasetDiffEntry> entries; // added, then removed, then relabelled
};

// The images of a diff as a list of thumbnails (DatasetDiffDelegate draws them).
class DatasetDiffListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetDiffListModel)

public:
    // A diff of 60,000 relabelled images shows this many of them, and says how many more.
    static constexpr int ShownPerKind = 500;
    enum Role
    {
        KindRole = Qt::UserRole, // DatasetDiffEntry::Kind as an int
        BeforeRole,              // the label's text ("7", "x"); invalid when there is none
        AfterRole,
        Sha256Role
    };

    using QAbstractListModel::QAbstractListModel;
    void setPage(DatasetDiffPage page);
    void clear();
    const DatasetDiffPage &page() const { return m_page; }

    // "v1 → v2: 3 added, 1 removed, 2 relabelled." and, when some are not shown, which.
    static QString summary(const DatasetDiffPage &page);
    // "7", or "x" for "not a digit"; empty when there is none.
    static QString labelText(const storage::MaybeLabel &label);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    DatasetDiffPage m_page;
};

} // namespace digitdesk::ui
