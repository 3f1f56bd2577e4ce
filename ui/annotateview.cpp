#include "ui/annotateview.h"

#include "storage/workspace.h"
#include "ui/annotateitempane.h"
#include "ui/annotationworker.h"
#include "ui/gridpageview.h"

#include <QKeyEvent>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace digitdesk::ui {
namespace {

constexpr int PanelRefreshMs = 10'000;
constexpr int EmptyQueuePollMs = 5'000;

const QString NoticeStyle = QStringLiteral("background: #fff4ce; padding: 6px;");
const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");

} // namespace

AnnotateView::AnnotateView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_who(std::move(who)),
      m_worker(new AnnotationWorker(workspace.databasePath(), m_who)),
      m_single(new AnnotateItemPane(workspace.blobs(), AnnotationWorker::StripLength, this)),
      m_message(new QLabel(this)), m_sessionPanel(new QLabel(this)), m_help(new QLabel(this))
{
    qRegisterMetaType<annotation::QueueItem>();
    qRegisterMetaType<QList<annotation::QueueItem>>();
    qRegisterMetaType<QList<annotation::HistoryEntry>>();
    qRegisterMetaType<annotation::LabelDecision>();
    qRegisterMetaType<storage::Label>();
    qRegisterMetaType<storage::MaybeLabel>();
    qRegisterMetaType<QList<storage::Label>>();
    setFocusPolicy(Qt::StrongFocus);
    // Comments come from other people: shown as they were typed, never as markup.
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_sessionPanel->setObjectName(QStringLiteral("sessionPanel"));
    m_sessionPanel->setWordWrap(true);
    m_help->setObjectName(QStringLiteral("help"));
    m_help->setTextFormat(Qt::RichText);
    m_help->setWordWrap(true);
    setKeyMap(KeyMap::load());
    m_help->setStyleSheet(
        QStringLiteral("background: #fffbe6; border: 1px solid #d4b106; padding: 8px;"));
    // Over the view, not in its layout: showing the keys never makes the window grow.
    m_help->hide();

    m_grid = new GridPageView(this);
    m_grid->setObjectName(QStringLiteral("grid"));
    m_grid->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_single);
    layout->addWidget(m_grid);
    layout->addWidget(m_message);
    layout->addStretch(1);
    layout->addWidget(m_sessionPanel);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &AnnotateView::requestNext, m_worker, &AnnotationWorker::fetchNext);
    connect(this, &AnnotateView::requestLabel, m_worker, &AnnotationWorker::saveLabel);
    connect(this, &AnnotateView::requestSkip, m_worker, &AnnotationWorker::skip);
    connect(this, &AnnotateView::requestUndo, m_worker, &AnnotationWorker::undo);
    connect(m_worker, &AnnotationWorker::itemReady, this, &AnnotateView::handleItem);
    connect(m_worker, &AnnotationWorker::labelSaved, this, &AnnotateView::handleSaved);
    connect(m_worker, &AnnotationWorker::upcomingReady, m_single, &AnnotateItemPane::setUpcoming);
    connect(this, &AnnotateView::requestPage, m_worker, &AnnotationWorker::fetchPage);
    connect(this, &AnnotateView::requestHistory, m_worker, &AnnotationWorker::fetchHistory);
    connect(this, &AnnotateView::requestUpcoming, m_worker, &AnnotationWorker::fetchUpcoming);
    connect(this, &AnnotateView::requestRelabel, m_worker, &AnnotationWorker::relabel);
    connect(m_worker, &AnnotationWorker::historyReady, this, &AnnotateView::handleHistory);
    connect(m_worker, &AnnotationWorker::relabelled, this, &AnnotateView::handleRelabelled);
    connect(this, &AnnotateView::requestSavePage, m_worker, &AnnotationWorker::savePage);
    connect(m_worker, &AnnotationWorker::pageReady, this, &AnnotateView::handlePage);
    connect(m_worker, &AnnotationWorker::pageSaved, this, [this](int count) {
        m_figures.pageSaved(count);
        updateSessionPanel();
    });
    connect(m_worker, &AnnotationWorker::queueEmpty, this, &AnnotateView::handleEmpty);
    connect(m_worker, &AnnotationWorker::failed, this, &AnnotateView::handleFailure);
    connect(m_worker, &AnnotationWorker::fetchFailed, this, &AnnotateView::handleFetchFailure);
    connect(m_worker, &AnnotationWorker::upcomingFailed, this, [this](const QString &reason) {
        notice(tr("The Next strip could not be read: %1").arg(reason));
    });
    connect(m_worker, &AnnotationWorker::undone, this, [this](qint64, storage::Label) {
        m_figures.labelUndone();
        updateSessionPanel();
        m_message->setStyleSheet({});
        m_message->setText(tr("Undone: label it again."));
    });
    m_thread.setObjectName(QStringLiteral("annotation worker"));
    m_thread.start();
    updateSessionPanel();
    // Labels per hour keep moving while nobody types.
    m_panelTimer.setInterval(PanelRefreshMs);
    connect(&m_panelTimer, &QTimer::timeout, this, &AnnotateView::updateSessionPanel);
    m_panelTimer.start();
    // An empty queue is looked at again now and then: imports and the endpoint fill it.
    m_emptyPoll.setInterval(EmptyQueuePollMs);
    connect(&m_emptyPoll, &QTimer::timeout, this, &AnnotateView::refresh);
}

const QList<qint64> &AnnotateView::upcomingImageIds() const
{
    return m_single->upcomingImageIds();
}

AnnotateView::~AnnotateView()
{
    m_thread.quit();
    m_thread.wait();
}

void AnnotateView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    start();
    setFocus();
}

void AnnotateView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeHelp();
}

void AnnotateView::placeHelp()
{
    const int width = std::min(560, std::max(200, this->width() - 16));
    m_help->setFixedWidth(width);
    m_help->adjustSize();
    m_help->move(this->width() - width - 8, 8);
    m_help->raise();
}

void AnnotateView::refresh()
{
    if (!m_started || m_busy || m_history.isActive()) {
        return;
    }
    if (m_gridMode) {
        if (m_grid->isEmpty()) {
            m_busy = true;
            Q_EMIT requestPage(GridPageView::PageSize);
        }
        return;
    }
    if (!m_current) {
        m_busy = true;
        Q_EMIT requestNext();
    } else if (upcomingImageIds().size() < AnnotationWorker::StripLength) {
        Q_EMIT requestUpcoming();
    }
}

void AnnotateView::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_busy = true;
    Q_EMIT requestNext();
}

void AnnotateView::renewLeases()
{
    if (m_started && m_current && !m_busy && !m_gridMode) {
        Q_EMIT requestUpcoming();
    }
}

void AnnotateView::handleItem(const annotation::QueueItem &item)
{
    m_busy = false;
    m_awaitingNext = false;
    m_emptyPoll.stop();
    m_current = item;
    m_single->showItem(item);
    QStringList notes;
    if (!item.sentBack.isEmpty()) {
        notes << tr("Sent back by %1").arg(item.sentBack);
    }
    if (!item.modelsDisagree.isEmpty()) {
        notes << tr("Models disagree: %1").arg(item.modelsDisagree);
    }
    if (!notes.isEmpty()) {
        notice(notes.join(QStringLiteral(" · ")));
    }
    m_onScreen.start();
    replayTypedAhead();
    // Said once the keys typed ahead have all been used, so nothing clears it at once.
    if (m_typedAhead.isEmpty() && !m_busy) {
        sayRefusedKeys();
    }
}

void AnnotateView::notice(const QString &text)
{
    m_message->setStyleSheet(NoticeStyle);
    m_message->setText(text);
}

void AnnotateView::handleSaved(qint64, storage::Label label, storage::MaybeLabel goldLabel)
{
    // Labelled: it stays on screen until the next one arrives, but no key applies to it now.
    m_current.reset();
    m_figures.labelSaved(label, goldLabel);
    m_message->setStyleSheet({});
    m_message->clear();
    if (goldLabel && *goldLabel != label) {
        // A check item answered wrongly: say so after the fact, with the right answer.
        const auto name = [](storage::Label value) {
            return value.isDigit() ? value.text() : tr("not a digit");
        };
        notice(tr("The last image was a check item: it is %1, you said %2.")
                   .arg(name(*goldLabel), name(label)));
    }
    updateSessionPanel();
}

void AnnotateView::handleEmpty()
{
    m_busy = false;
    m_awaitingNext = false;
    m_current.reset();
    m_single->showEmpty();
    dropTypedAhead(tr("the queue is empty"));
    sayRefusedKeys();
    if (isVisible() && !m_gridMode) {
        m_emptyPoll.start();
    }
}

void AnnotateView::handleFetchFailure(const QString &reason)
{
    m_busy = false;
    m_awaitingNext = false;
    m_typedAhead.clear();
    m_message->setStyleSheet(ErrorStyle);
    m_message->setText(tr("The next image could not be loaded: %1. Trying again.").arg(reason));
    if (!m_current) {
        m_emptyPoll.start();
    }
}

void AnnotateView::handleFailure(const QString &reason)
{
    m_busy = false;
    m_awaitingNext = false;
    m_message->setStyleSheet(ErrorStyle);
    m_message->setText(tr("Not saved: %1").arg(reason));
    // What was typed ahead was meant for the images after this one: it no longer lines up.
    m_typedAhead.clear();
}

void AnnotateView::decide(storage::Label label)
{
    if (m_busy || !m_current) {
        return;
    }
    m_busy = true;
    m_awaitingNext = true;
    Q_EMIT requestLabel(m_current->imageId, label, m_onScreen.elapsed());
}

void AnnotateView::updateSessionPanel()
{
    m_sessionPanel->setText(m_figures.text());
}

void AnnotateView::setGridMode(bool on)
{
    if (m_busy || on == m_gridMode) {
        return;
    }
    m_gridMode = on;
    m_emptyPoll.stop();
    m_message->setStyleSheet({});
    m_message->clear();
    m_single->setVisible(!on);
    m_grid->setVisible(on);
    m_busy = true;
    if (on) {
        Q_EMIT requestPage(GridPageView::PageSize);
    } else {
        Q_EMIT requestNext();
    }
}

void AnnotateView::handlePage(const QList<annotation::QueueItem> &items)
{
    m_busy = false;
    m_grid->setPage(std::vector<annotation::QueueItem>(items.begin(), items.end()));
    m_message->setStyleSheet({});
    m_message->setText(items.isEmpty() ? tr("No items left for grid mode; press g to go back.")
                                       : QString());
    m_onScreen.start();
}

void AnnotateView::setKeyMap(const KeyMap &keys)
{
    m_keys = keys;
    m_help->setText(annotateHelpText(m_keys));
    placeHelp();
}

void AnnotateView::handleHistory(const QList<annotation::HistoryEntry> &entries)
{
    m_busy = false;
    if (!m_history.open(entries)) {
        m_message->setText(tr("No labels to look back at yet."));
        return;
    }
    m_single->showLookingBack(m_history);
}

void AnnotateView::handleRelabelled(qint64 oldLabelId, const annotation::LabelDecision &decision)
{
    m_busy = false;
    m_history.replace(oldLabelId, decision);
    if (m_history.isActive()) {
        m_single->showLookingBack(m_history);
    }
}

void AnnotateView::leaveHistory()
{
    m_history.close();
    if (m_current) {
        const annotation::QueueItem current = *m_current;
        handleItem(current);
    }
}

} // namespace digitdesk::ui
