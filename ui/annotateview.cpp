#include "ui/annotateview.h"

#include "storage/workspace.h"
#include "ui/annotatebuttons.h"
#include "ui/annotateitempane.h"
#include "ui/annotatequeuebar.h"
#include "ui/annotationworker.h"
#include "ui/gridpageview.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace digitdesk::ui {
namespace {

constexpr int PanelRefreshMs = 10'000;
constexpr int EmptyQueuePollMs = 5'000;
constexpr int FiguresAfterSaveMs = 250;

// White on deep red keeps its contrast on light and dark palettes alike.
const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");
const QColor NoticeTint(0xf0, 0xc0, 0x00);

QColor blend(const QColor &base, const QColor &tint, double share)
{
    return QColor::fromRgbF(static_cast<float>(base.redF() * (1 - share) + tint.redF() * share),
                            static_cast<float>(base.greenF() * (1 - share) + tint.greenF() * share),
                            static_cast<float>(base.blueF() * (1 - share) + tint.blueF() * share));
}

} // namespace

AnnotateView::AnnotateView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_who(std::move(who)),
      m_worker(new AnnotationWorker(workspace.databasePath(), m_who)),
      m_single(new AnnotateItemPane(workspace.blobs(), AnnotationWorker::StripLength, this)),
      m_message(new QLabel(this)), m_sessionPanel(new QLabel(this)), m_help(new QLabel(this)),
      m_queueBar(new AnnotateQueueBar(this)), m_buttons(new AnnotateButtonBar(this))
{
    qRegisterMetaType<annotation::QueueItem>();
    qRegisterMetaType<QList<annotation::QueueItem>>();
    qRegisterMetaType<QList<annotation::HistoryEntry>>();
    qRegisterMetaType<annotation::LabelDecision>();
    qRegisterMetaType<storage::Label>();
    qRegisterMetaType<storage::MaybeLabel>();
    qRegisterMetaType<QList<storage::Label>>();
    qRegisterMetaType<annotation::QueueFigures>();
    setFocusPolicy(Qt::StrongFocus);
    // Comments come from other people: shown as they were typed, never as markup.
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_sessionPanel->setObjectName(QStringLiteral("sessionPanel"));
    // Beside the message, squeezed rather than wrapped when the window is narrow.
    m_sessionPanel->setMinimumWidth(1);
    m_sessionPanel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_help->setObjectName(QStringLiteral("help"));
    m_help->setTextFormat(Qt::RichText);
    m_help->setWordWrap(true);
    m_queueBar->setObjectName(QStringLiteral("queueBar"));
    m_buttons->setObjectName(QStringLiteral("buttons"));
    setKeyMap(KeyMap::load());
    applyColours();
    m_buttons->setScanShown(m_scanShown);
    m_buttons->setContrastStretched(m_contrast);
    // Over the view, not in its layout: showing the keys never makes the window grow.
    m_help->hide();

    m_grid = new GridPageView(this);
    m_grid->setObjectName(QStringLiteral("grid"));
    m_grid->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_queueBar);
    layout->addWidget(m_single, 1);
    layout->addWidget(m_grid, 1);
    auto *messageRow = new QHBoxLayout;
    messageRow->addWidget(m_message, 1);
    messageRow->addWidget(m_sessionPanel);
    layout->addLayout(messageRow);
    layout->addWidget(m_buttons);
    // A click runs what its key runs (keyPressEvent).
    connect(m_buttons, &AnnotateButtonBar::keyClicked, this, [this](QKeyCombination key) {
        const AnnotateCommand command = annotateCommand(m_keys, key, mode());
        // Only keys type ahead: a click (or the second click of a double-click) while a decision
        // is being saved would otherwise land on the strip's next image, which nobody looked at.
        if (command.isDecision() && mode() == AnnotateMode::Single &&
            (m_busy || !m_typedAhead.isEmpty() || !m_current)) {
            return;
        }
        act(command);
    });
    connect(m_buttons, &AnnotateButtonBar::toggleClicked, this, [this](AnnotateCommand::Kind kind) {
        act({kind, std::nullopt, Qt::Key_unknown});
    });

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
        refreshFiguresSoon();
    });
    connect(this, &AnnotateView::requestQueueFigures, m_worker,
            &AnnotationWorker::fetchQueueFigures);
    connect(m_worker, &AnnotationWorker::queueFiguresReady, m_queueBar,
            &AnnotateQueueBar::setFigures);
    connect(m_worker, &AnnotationWorker::queueFiguresFailed, m_queueBar,
            &AnnotateQueueBar::setProblem);
    connect(m_worker, &AnnotationWorker::queueEmpty, this, &AnnotateView::handleEmpty);
    connect(m_worker, &AnnotationWorker::failed, this, &AnnotateView::handleFailure);
    connect(m_worker, &AnnotationWorker::fetchFailed, this, &AnnotateView::handleFetchFailure);
    connect(m_worker, &AnnotationWorker::upcomingFailed, this, [this](const QString &reason) {
        notice(tr("The Next strip could not be read: %1").arg(reason));
    });
    connect(m_worker, &AnnotationWorker::undone, this, [this](qint64, storage::Label) {
        m_figures.labelUndone();
        updateSessionPanel();
        refreshFiguresSoon();
        showMessage(MessageKind::Plain, tr("Undone: label it again."));
    });
    m_thread.setObjectName(QStringLiteral("annotation worker"));
    m_thread.start();
    updateSessionPanel();
    // Labels per hour keep moving while nobody types, and other people change the queue.
    m_panelTimer.setInterval(PanelRefreshMs);
    connect(&m_panelTimer, &QTimer::timeout, this, &AnnotateView::refreshPanel);
    m_panelTimer.start();
    m_figuresSoon.setSingleShot(true);
    m_figuresSoon.setInterval(FiguresAfterSaveMs);
    connect(&m_figuresSoon, &QTimer::timeout, this, &AnnotateView::requestQueueFigures);
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

void AnnotateView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyColours();
    }
}

void AnnotateView::applyColours()
{
    const QPalette &colours = palette();
    const QColor window = colours.color(QPalette::Window);
    const QColor text = colours.color(QPalette::WindowText);
    const QString notice = QStringLiteral("color: %1; background: %2; padding: 6px;")
                               .arg(text.name(), blend(window, NoticeTint, 0.3).name());
    switch (m_messageKind) {
    case MessageKind::Plain:
        m_message->setStyleSheet({});
        break;
    case MessageKind::Notice:
        m_message->setStyleSheet(notice);
        break;
    case MessageKind::Error:
        m_message->setStyleSheet(ErrorStyle);
        break;
    }
    m_help->setStyleSheet(
        QStringLiteral("color: %1; background: %2; border: 1px solid %3; padding: 8px;")
            .arg(text.name(), blend(window, NoticeTint, 0.15).name(),
                 blend(window, NoticeTint, 0.7).name()));
}

void AnnotateView::showMessage(MessageKind kind, const QString &text)
{
    m_messageKind = kind;
    applyColours();
    m_message->setText(text);
}

void AnnotateView::refreshPanel()
{
    updateSessionPanel();
    if (m_started) {
        Q_EMIT requestQueueFigures();
    }
}

void AnnotateView::refreshFiguresSoon()
{
    if (!m_figuresSoon.isActive()) {
        m_figuresSoon.start();
    }
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
    Q_EMIT requestQueueFigures();
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
    showMessage(MessageKind::Notice, text);
}

void AnnotateView::handleSaved(qint64, storage::Label label, storage::MaybeLabel goldLabel)
{
    // Labelled: it stays on screen until the next one arrives, but no key applies to it now.
    m_current.reset();
    m_figures.labelSaved(label, goldLabel);
    refreshFiguresSoon();
    showMessage(MessageKind::Plain, {});
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
    showMessage(MessageKind::Error,
                tr("The next image could not be loaded: %1. Trying again.").arg(reason));
    if (!m_current) {
        m_emptyPoll.start();
    }
}

void AnnotateView::handleFailure(const QString &reason)
{
    m_busy = false;
    m_awaitingNext = false;
    showMessage(MessageKind::Error, tr("Not saved: %1").arg(reason));
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
    showMessage(MessageKind::Plain, {});
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
    showMessage(MessageKind::Plain,
                items.isEmpty()
                    ? tr("No items left for grid mode; press %1 to go back.")
                          .arg(m_keys.key(KeyMap::Grid).toString(QKeySequence::NativeText))
                    : QString());
    m_onScreen.start();
}

void AnnotateView::setKeyMap(const KeyMap &keys)
{
    m_keys = keys;
    m_help->setText(annotateHelpText(m_keys));
    m_buttons->setKeyMap(m_keys);
    placeHelp();
}

void AnnotateView::handleHistory(const QList<annotation::HistoryEntry> &entries)
{
    m_busy = false;
    if (!m_history.open(entries)) {
        showMessage(MessageKind::Plain, tr("No labels to look back at yet."));
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
