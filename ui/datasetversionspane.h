#pragma once

#include "annotation/datasetservice.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QTableView;

namespace digitdesk::ui {

class DatasetVersionTableModel;

// The dataset versions as a table, newest first, with a "Compare with" choice: one selected
// row is a version to look at, two are a comparison (Ctrl+click, or the choice).
class DatasetVersionsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetVersionsPane)

public:
    explicit DatasetVersionsPane(QWidget *parent = nullptr);

    DatasetVersionTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // Replaces the versions; `select` (the tags to select) defaults to those selected before,
    // and to the newest version when none of them is left.
    void setVersions(std::vector<annotation::DatasetVersion> versions, QStringList select);
    // The tags of the selected rows, the current one first.
    QStringList selectedTags() const;
    // The first becomes the current row; selectionChanged follows once.
    void selectVersions(const QStringList &tags);

Q_SIGNALS:
    void selectionChanged();

private:
    void handleCompareChosen(int index);
    void handleSelectionChanged();

    DatasetVersionTableModel *m_model;
    QComboBox *m_compare;
    QTableView *m_table;
    bool m_selecting = false; // selectVersions() at work: one signal at its end
};

} // namespace digitdesk::ui
