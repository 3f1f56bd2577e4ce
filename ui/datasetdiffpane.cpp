#include "ui/datasetdiffpane.h"

#include "ui/appearance.h"
#include "ui/datasetdiffdelegate.h"
#include "ui/datasetdifflistmodel.h"

#include <QLabel>
#include <QListView>
#include <QVBoxLayout>

namespace digitdesk::ui {

DatasetDiffPane::DatasetDiffPane(QWidget *parent)
    : QWidget(parent), m_model(new DatasetDiffListModel(this)), m_summary(new QLabel(this)),
      m_list(new QListView(this))
{
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_list->setObjectName(QStringLiteral("diffList"));
    m_list->setModel(m_model);
    m_list->setItemDelegate(new DatasetDiffDelegate(m_list));
    m_list->setViewMode(QListView::IconMode);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_list, 1);
}

void DatasetDiffPane::compare(const QString &fromTag, const QString &toTag)
{
    const auto pair = std::make_pair(fromTag, toTag);
    if (m_wanted == pair) {
        return; // shown already, or under way
    }
    m_wanted = pair;
    m_model->clear();
    m_summary->setStyleSheet({});
    m_summary->setText(tr("Comparing %1 with %2…").arg(fromTag, toTag));
    if (!m_running) {
        send(pair);
    }
}

void DatasetDiffPane::clear(const QString &hint)
{
    m_wanted.reset();
    m_model->clear();
    m_summary->setStyleSheet({});
    m_summary->setText(hint);
}

void DatasetDiffPane::send(const std::pair<QString, QString> &pair)
{
    m_running = true;
    Q_EMIT requestDiff(pair.first, pair.second);
}

void DatasetDiffPane::handleDiff(const DatasetDiffPage &page)
{
    m_running = false;
    if (!m_wanted) {
        return;
    }
    if (*m_wanted != std::make_pair(page.fromTag, page.toTag)) {
        send(*m_wanted); // the selection moved on while this one ran
        return;
    }
    m_model->setPage(page);
    m_summary->setText(DatasetDiffListModel::summary(page));
    Q_EMIT diffShown();
}

void DatasetDiffPane::handleDiffFailed(const QString &fromTag, const QString &toTag,
                                       const QString &reason)
{
    m_running = false;
    if (!m_wanted) {
        return;
    }
    if (*m_wanted != std::make_pair(fromTag, toTag)) {
        send(*m_wanted);
        return;
    }
    m_wanted.reset(); // selecting the two again tries again
    m_summary->setStyleSheet(toneStyle(Tone::Error, true));
    m_summary->setText(tr("%1 and %2 could not be compared: %3").arg(fromTag, toTag, reason));
}

} // namespace digitdesk::ui
