#include "ui/datasetversionspane.h"

#include "ui/appearance.h"
#include "ui/datasetversiontablemodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace digitdesk::ui {

DatasetVersionsPane::DatasetVersionsPane(QWidget *parent)
    : QWidget(parent), m_model(new DatasetVersionTableModel(this)), m_compare(new QComboBox(this)),
      m_table(new QTableView(this))
{
    m_compare->setObjectName(QStringLiteral("compareWith"));
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_compare->addItem(tr("—"), QString());
    m_compare->setToolTip(tr("Compare the selected version with another one (or Ctrl+click a "
                             "second row)"));
    connect(m_compare, &QComboBox::activated, this, &DatasetVersionsPane::handleCompareChosen);
    auto *compareLabel = new QLabel(tr("Compare &with:"), this);
    compareLabel->setBuddy(m_compare);
    auto *header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("<b>Versions</b>, newest first"), this));
    header->addStretch(1);
    header->addWidget(compareLabel);
    header->addWidget(m_compare);

    m_table->setObjectName(QStringLiteral("versionTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::ResizeToContents);
    columns->setSectionResizeMode(DatasetVersionTableModel::MessageColumn, QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_selecting) {
            handleSelectionChanged();
        }
    });
    auto *keys = new QLabel(tr("Ctrl+click or Compare with: two versions. Ctrl+Return commits, "
                               "Ctrl+E exports, F5 reloads."),
                            this);
    keys->setWordWrap(true);
    keys->setStyleSheet(toneStyle(Tone::Muted));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_table, 1);
    layout->addWidget(keys);
    setFocusProxy(m_table);
}

void DatasetVersionsPane::setVersions(std::vector<annotation::DatasetVersion> versions,
                                      QStringList select)
{
    if (select.isEmpty()) {
        select = selectedTags();
    }
    m_model->setVersions(std::move(versions));
    m_compare->clear();
    m_compare->addItem(tr("—"), QString());
    for (int row = 0; row < m_model->rowCount(); ++row) {
        m_compare->addItem(m_model->version(row).tag, m_model->version(row).tag);
    }
    select.removeIf([this](const QString &tag) { return m_model->rowOf(tag) < 0; });
    if (select.isEmpty() && m_model->rowCount() > 0) {
        select << m_model->version(0).tag;
    }
    selectVersions(select);
}

QStringList DatasetVersionsPane::selectedTags() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        rows << index.row();
    }
    std::sort(rows.begin(), rows.end());
    const int current = m_table->currentIndex().row();
    if (rows.removeOne(current)) {
        rows.prepend(current);
    }
    QStringList tags;
    for (const int row : rows) {
        tags << m_model->version(row).tag;
    }
    return tags;
}

void DatasetVersionsPane::selectVersions(const QStringList &tags)
{
    QItemSelection selection;
    int currentRow = -1;
    for (const QString &tag : tags) {
        const int row = m_model->rowOf(tag);
        if (row < 0) {
            continue;
        }
        currentRow = currentRow < 0 ? row : currentRow;
        selection.select(m_model->index(row, 0),
                         m_model->index(row, DatasetVersionTableModel::NB_COLUMNS - 1));
    }
    QItemSelectionModel *model = m_table->selectionModel();
    m_selecting = true;
    if (currentRow >= 0) {
        model->setCurrentIndex(m_model->index(currentRow, 0), QItemSelectionModel::NoUpdate);
        m_table->scrollTo(m_model->index(currentRow, 0));
    }
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_selecting = false;
    handleSelectionChanged();
}

void DatasetVersionsPane::handleCompareChosen(int index)
{
    const QString current = selectedTags().value(0);
    const QString other = m_compare->itemData(index).toString();
    if (current.isEmpty()) {
        m_compare->setCurrentIndex(0);
        return;
    }
    selectVersions(other.isEmpty() || other == current ? QStringList{current}
                                                       : QStringList{current, other});
}

void DatasetVersionsPane::handleSelectionChanged()
{
    const QStringList tags = selectedTags();
    m_compare->setCurrentIndex(tags.size() == 2 ? std::max(0, m_compare->findData(tags[1])) : 0);
    Q_EMIT selectionChanged();
}

} // namespace digitdesk::ui
