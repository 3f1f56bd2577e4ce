#include "ui/annotateview.h"

#include "storage/workspace.h"
#include "ui/annotationworker.h"
#include "ui/gridpageview.h"
#include "ui/imagelistmodel.h"
#include "ui/scaledimageview.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <numeric>
#include <utility>

namespace digitdesk::ui {
namespace {

constexpr int ImageSide = 336; // 28 x 12
constexpr int StripTileSide = 56;
constexpr int PanelRefreshMs = 10'000;
constexpr int EmptyQueuePollMs = 5'000;

QString helpText(const KeyMap &keys)
{
    const auto key = [&](KeyMap::Action action) {
        return keys.key(action).toString(QKeySequence::NativeText).toHtmlEscaped();
    };
    const auto keysOf = [&](KeyMap::Action action) {
        return keys.keysText(action).toHtmlEscaped();
    };
    return QObject::
        tr("<b>Keys</b> (File &gt; Keys… changes them)<br>"
           "0 - 9 &nbsp; label and go on<br>"
           "%1 &nbsp; accept the model's answer<br>"
           "%2 &nbsp; not a digit / unreadable<br>"
           "%3 &nbsp; skip (it comes back later)<br>"
           "%4 &nbsp; undo your last label<br>"
           "Left / Right &nbsp; look back through your last 50 labels; a digit or %2 changes one"
           " (until it is reviewed); Esc comes back<br>"
           "%5 &nbsp; grid mode: a page of confident answers; arrows move, a digit or %2 corrects,"
           " %1 accepts the page<br>"
           "%6 &nbsp; show or hide these keys<br>"
           "Keys typed ahead wait their turn: type what the Next strip shows.")
            .arg(keysOf(KeyMap::Accept), key(KeyMap::NotADigit), key(KeyMap::Skip),
                 keysOf(KeyMap::Undo), key(KeyMap::Grid), keysOf(KeyMap::Help));
}

} // namespace

AnnotateView::AnnotateView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_workspace(workspace), m_who(std::move(who)),
      m_worker(new AnnotationWorker(workspace.databasePath(), m_who)),
      m_image(new ScaledImageView(ScaledImageView::Scaling::Pixelated, ImageSide, 84, this)),
      m_original(new ScaledImageView(ScaledImageView::Scaling::Smooth, ImageSide, 84, this)),
      m_originalWatcher(new QFutureWatcher<OriginalScan>(this)), m_prediction(new QLabel(this)),
      m_message(new QLabel(this)), m_sessionPanel(new QLabel(this)), m_help(new QLabel(this))
{
    qRegisterMetaType<annotation::QueueItem>();
    qRegisterMetaType<QList<annotation::QueueItem>>();
    qRegisterMetaType<QList<annotation::HistoryEntry>>();
    qRegisterMetaType<annotation::LabelDecision>();
    setFocusPolicy(Qt::StrongFocus);
    m_image->setObjectName(QStringLiteral("currentImage"));
    m_original->setObjectName(QStringLiteral("currentScan"));
    m_prediction->setObjectName(QStringLiteral("prediction"));
    m_prediction->setTextFormat(Qt::RichText);
    m_prediction->setWordWrap(true);
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

    auto *images = new QHBoxLayout;
    images->addWidget(m_image, 1);
    images->addWidget(m_original, 1);
    auto *strip = new QHBoxLayout;
    auto *next = new QLabel(tr("Next:"), this);
    next->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    strip->addWidget(next);
    for (int i = 0; i < AnnotationWorker::StripLength; ++i) {
        auto *tile =
            new ScaledImageView(ScaledImageView::Scaling::Pixelated, StripTileSide, 16, this);
        tile->setObjectName(QStringLiteral("upcoming%1").arg(i));
        tile->setMaximumSize(StripTileSide, StripTileSide);
        m_strip << tile;
        strip->addWidget(tile, 1);
    }
    strip->addStretch(1);
    m_single = new QWidget(this);
    auto *singleLayout = new QVBoxLayout(m_single);
    singleLayout->setContentsMargins(0, 0, 0, 0);
    singleLayout->addLayout(images);
    singleLayout->addLayout(strip);
    singleLayout->addWidget(m_prediction);
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
    connect(m_originalWatcher, &QFutureWatcherBase::finished, this,
            &AnnotateView::handleOriginalLoaded);
    connect(m_worker, &AnnotationWorker::itemReady, this, &AnnotateView::handleItem);
    connect(m_worker, &AnnotationWorker::labelSaved, this, &AnnotateView::handleSaved);
    connect(m_worker, &AnnotationWorker::upcomingReady, this, &AnnotateView::handleUpcoming);
    connect(this, &AnnotateView::requestPage, m_worker, &AnnotationWorker::fetchPage);
    connect(this, &AnnotateView::requestHistory, m_worker, &AnnotationWorker::fetchHistory);
    connect(this, &AnnotateView::requestUpcoming, m_worker, &AnnotationWorker::fetchUpcoming);
    connect(this, &AnnotateView::requestRelabel, m_worker, &AnnotationWorker::relabel);
    connect(m_worker, &AnnotationWorker::historyReady, this, &AnnotateView::handleHistory);
    connect(m_worker, &AnnotationWorker::relabelled, this, &AnnotateView::handleRelabelled);
    connect(this, &AnnotateView::requestSavePage, m_worker, &AnnotationWorker::savePage);
    connect(m_worker, &AnnotationWorker::pageReady, this, &AnnotateView::handlePage);
    connect(m_worker, &AnnotationWorker::pageSaved, this, [this](int count) {
        m_saved += count;
        updateSessionPanel();
    });
    connect(m_worker, &AnnotationWorker::queueEmpty, this, &AnnotateView::handleEmpty);
    connect(m_worker, &AnnotationWorker::failed, this, &AnnotateView::handleFailure);
    connect(m_worker, &AnnotationWorker::fetchFailed, this, &AnnotateView::handleFetchFailure);
    connect(m_worker, &AnnotationWorker::upcomingFailed, this, [this](const QString &reason) {
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(tr("The Next strip could not be read: %1").arg(reason));
    });
    connect(m_worker, &AnnotationWorker::undone, this, [this](qint64, int) {
        m_saved = std::max(0, m_saved - 1);
        updateSessionPanel();
        m_message->setStyleSheet({});
        m_message->setText(tr("Undone: label it again."));
    });
    m_thread.setObjectName(QStringLiteral("annotation worker"));
    m_thread.start();
    m_session.start();
    updateSessionPanel();
    // Labels per hour keep moving while nobody types.
    m_panelTimer.setInterval(PanelRefreshMs);
    connect(&m_panelTimer, &QTimer::timeout, this, &AnnotateView::updateSessionPanel);
    m_panelTimer.start();
    // An empty queue is looked at again now and then: imports and the endpoint fill it.
    m_emptyPoll.setInterval(EmptyQueuePollMs);
    connect(&m_emptyPoll, &QTimer::timeout, this, &AnnotateView::refresh);
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
    if (!m_started || m_busy || m_historyMode) {
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
    } else if (m_stripIds.size() < AnnotationWorker::StripLength) {
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
    // The strip moves on at once: its first image is the one now on screen.
    if (!m_stripIds.isEmpty() && m_stripIds.front() == item.imageId) {
        m_stripIds.removeFirst();
        m_stripPixels.removeFirst();
        showStrip(m_stripPixels);
    }
    m_image->setImage(ImageListModel::toImage(item.pixels));
    m_original->clear();
    if (item.originalSha256.isEmpty()) {
        m_original->setPlaceholderText(
            tr("No original scan: this image arrived as 28 x 28 pixels."));
    } else {
        loadOriginal(item.imageId, item.originalSha256);
    }
    if (item.predictedLabel >= 0) {
        std::array<int, 10> order{};
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return item.probabilities[static_cast<size_t>(a)] >
                   item.probabilities[static_cast<size_t>(b)];
        });
        QStringList guesses;
        for (int i = 0; i < 3; ++i) {
            guesses
                << tr("<b style='font-size:20pt'>%1</b> %2%")
                       .arg(order[static_cast<size_t>(i)])
                       .arg(item.probabilities[static_cast<size_t>(order[static_cast<size_t>(i)])] *
                                100,
                            0, 'f', 1);
        }
        m_prediction->setText(tr("Model: ") + guesses.join(QStringLiteral(" &nbsp; ")));
    } else {
        m_prediction->setText(tr("No prediction for this image yet."));
    }
    QStringList notes;
    if (!item.sentBack.isEmpty()) {
        notes << tr("Sent back by %1").arg(item.sentBack);
    }
    if (!item.modelsDisagree.isEmpty()) {
        notes << tr("Models disagree: %1").arg(item.modelsDisagree);
    }
    if (!notes.isEmpty()) {
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(notes.join(QStringLiteral(" · ")));
    }
    m_onScreen.start();
    replayTypedAhead();
    // Said once the keys typed ahead have all been used, so nothing clears it at once.
    if (m_typedAhead.empty() && !m_busy && m_refusedKeys > 0) {
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(tr("%n key(s) typed ahead were not used: they went past the images"
                              " shown.",
                              nullptr, m_refusedKeys));
        m_refusedKeys = 0;
    }
}

void AnnotateView::handleSaved(qint64, int label, int goldLabel)
{
    // Labelled: it stays on screen until the next one arrives, but no key applies to it now.
    m_current.reset();
    ++m_saved;
    m_message->setStyleSheet({});
    m_message->clear();
    if (goldLabel != AnnotationWorker::NoGold) {
        ++m_goldAnswered;
        m_goldRight += goldLabel == label ? 1 : 0;
    }
    if (goldLabel != AnnotationWorker::NoGold && goldLabel != label) {
        // A check item answered wrongly: say so after the fact, with the right answer.
        const auto name = [](int value) {
            return value >= 0 ? QString::number(value) : tr("not a digit");
        };
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(tr("The last image was a check item: it is %1, you said %2.")
                               .arg(name(goldLabel), name(label)));
    }
    updateSessionPanel();
}

void AnnotateView::handleUpcoming(const QList<qint64> &imageIds, const QList<QByteArray> &pixels)
{
    m_stripIds = imageIds;
    m_stripPixels = pixels;
    showStrip(pixels);
}

void AnnotateView::showStrip(const QList<QByteArray> &pixels)
{
    for (qsizetype i = 0; i < m_strip.size(); ++i) {
        if (i < pixels.size()) {
            m_strip[i]->setImage(ImageListModel::toImage(pixels[i]));
        } else {
            m_strip[i]->clear();
        }
    }
}

void AnnotateView::handleEmpty()
{
    m_busy = false;
    m_awaitingNext = false;
    m_current.reset();
    m_stripIds.clear();
    m_stripPixels.clear();
    showStrip({});
    m_image->setPlaceholderText(tr("Nothing to label"));
    m_original->clear();
    m_prediction->setText(
        tr("The queue is empty: every incoming image is labelled or on someone's screen."));
    dropTypedAhead(tr("the queue is empty"));
    if (m_refusedKeys > 0) {
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(tr("%n key(s) typed ahead were not used: they went past the images"
                              " shown.",
                              nullptr, m_refusedKeys));
        m_refusedKeys = 0;
    }
    if (isVisible() && !m_gridMode) {
        m_emptyPoll.start();
    }
}

void AnnotateView::handleFetchFailure(const QString &reason)
{
    m_busy = false;
    m_awaitingNext = false;
    m_typedAhead.clear();
    m_message->setStyleSheet(
        QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;"));
    m_message->setText(tr("The next image could not be loaded: %1. Trying again.").arg(reason));
    if (!m_current) {
        m_emptyPoll.start();
    }
}

void AnnotateView::handleFailure(const QString &reason)
{
    m_busy = false;
    m_awaitingNext = false;
    m_message->setStyleSheet(
        QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;"));
    m_message->setText(tr("Not saved: %1").arg(reason));
    // What was typed ahead was meant for the images after this one: it no longer lines up.
    m_typedAhead.clear();
}

void AnnotateView::decide(int label)
{
    if (m_busy || !m_current) {
        return;
    }
    m_busy = true;
    m_awaitingNext = true;
    Q_EMIT requestLabel(m_current->imageId, label, m_onScreen.elapsed());
}

bool AnnotateView::isDecisionKey(const QKeyEvent *event) const
{
    const int key = event->key();
    return (key >= Qt::Key_0 && key <= Qt::Key_9 && !(event->modifiers() & Qt::ControlModifier)) ||
           m_keys.matches(KeyMap::Accept, event) || m_keys.matches(KeyMap::NotADigit, event) ||
           m_keys.matches(KeyMap::Skip, event) || m_keys.matches(KeyMap::Undo, event);
}

void AnnotateView::replayTypedAhead()
{
    if (m_typedAhead.empty() || m_busy || m_gridMode || m_historyMode) {
        return;
    }
    const TypedKey typed = m_typedAhead.front();
    if (!m_current || m_current->imageId != typed.imageId) {
        // Not the image the strip showed there (it went to someone else meanwhile, say).
        dropTypedAhead(tr("the image they were typed for is no longer next"));
        return;
    }
    m_typedAhead.pop_front();
    handleSingleKey(typed.key);
    if (!m_busy) {
        dropTypedAhead(tr("the key before them did nothing on its image"));
    }
}

void AnnotateView::dropTypedAhead(const QString &why)
{
    if (m_typedAhead.empty()) {
        return;
    }
    m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
    m_message->setText(tr("%n key(s) typed ahead were not used: %1.", nullptr,
                          static_cast<int>(m_typedAhead.size()))
                           .arg(why));
    m_typedAhead.clear();
}

void AnnotateView::updateSessionPanel()
{
    const double hours = static_cast<double>(m_session.elapsed()) / 3.6e6;
    const QString gold = m_goldAnswered > 0
                             ? tr(", gold items %1 of %2 right (%3%)")
                                   .arg(m_goldRight)
                                   .arg(m_goldAnswered)
                                   .arg(100.0 * m_goldRight / m_goldAnswered, 0, 'f', 0)
                             : tr(", no gold item yet");
    m_sessionPanel->setText(
        tr("This session: %1 labelled, %2 per hour%3")
            .arg(m_saved)
            .arg(hours > 0.001 ? static_cast<double>(m_saved) / hours : 0.0, 0, 'f', 0)
            .arg(gold));
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

bool AnnotateView::handleGridKey(QKeyEvent *event)
{
    const int key = event->key();
    if (m_grid->moveFocus(key)) {
        return true;
    }
    if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        m_grid->correctFocused(key - Qt::Key_0);
        return true;
    }
    if (m_keys.matches(KeyMap::NotADigit, event)) {
        m_grid->correctFocused(-1);
        return true;
    }
    if (m_keys.matches(KeyMap::Accept, event) && !m_busy && !m_grid->isEmpty()) {
        QList<qint64> ids;
        QList<int> labels;
        for (const auto &[imageId, label] : m_grid->answers()) {
            ids << imageId;
            labels << label;
        }
        m_busy = true;
        Q_EMIT requestSavePage(ids, labels, m_onScreen.elapsed());
        return true;
    }
    return false;
}

void AnnotateView::setKeyMap(const KeyMap &keys)
{
    m_keys = keys;
    m_help->setText(helpText(m_keys));
    placeHelp();
}

qint64 AnnotateView::historyImageId() const
{
    return m_historyMode && m_historyIndex < m_history.size()
               ? m_history[m_historyIndex].decision.imageId
               : 0;
}

void AnnotateView::handleHistory(const QList<annotation::HistoryEntry> &entries)
{
    m_busy = false;
    m_history = entries;
    if (m_history.isEmpty()) {
        m_message->setText(tr("No labels to look back at yet."));
        return;
    }
    m_historyMode = true;
    m_historyIndex = 0;
    for (qsizetype i = 0; i < m_history.size(); ++i) {
        if (m_history[i].decision.imageId == m_historyFocusImage) {
            m_historyIndex = static_cast<int>(i);
        }
    }
    showHistoryEntry();
}

void AnnotateView::showHistoryEntry()
{
    const annotation::HistoryEntry &entry = m_history[m_historyIndex];
    m_historyFocusImage = entry.decision.imageId;
    m_image->setImage(ImageListModel::toImage(entry.pixels));
    m_original->clear();
    const QString said =
        entry.decision.label >= 0 ? QString::number(entry.decision.label) : tr("not a digit");
    m_prediction->setText(
        tr("<b>Looking back</b>, %1 of %2: you said <b>%3</b>. %4")
            .arg(m_historyIndex + 1)
            .arg(m_history.size())
            .arg(said,
                 entry.reviewed
                     ? tr("It has been reviewed and can no longer change.")
                     : tr("A digit or x changes it. Esc or Right past the newest comes back.")));
}

void AnnotateView::handleRelabelled(qint64 oldLabelId, const annotation::LabelDecision &decision)
{
    m_busy = false;
    // Changed where it stands: walking on through the history meets the older labels, not
    // this one again.
    for (annotation::HistoryEntry &entry : m_history) {
        if (entry.decision.labelId == oldLabelId) {
            entry.decision.labelId = decision.labelId;
            entry.decision.label = decision.label;
        }
    }
    if (m_historyMode) {
        showHistoryEntry();
    }
}

void AnnotateView::leaveHistory()
{
    m_historyMode = false;
    m_historyFocusImage = 0;
    if (m_current) {
        const annotation::QueueItem current = *m_current;
        handleItem(current);
    }
}

bool AnnotateView::handleHistoryKey(QKeyEvent *event)
{
    const int key = event->key();
    if (key == Qt::Key_Escape || (key == Qt::Key_Right && m_historyIndex == 0)) {
        leaveHistory();
        return true;
    }
    if (key == Qt::Key_Left || key == Qt::Key_Right) {
        m_historyIndex = std::clamp(m_historyIndex + (key == Qt::Key_Left ? 1 : -1), 0,
                                    static_cast<int>(m_history.size()) - 1);
        showHistoryEntry();
        return true;
    }
    int label = -2;
    if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        label = key - Qt::Key_0;
    } else if (m_keys.matches(KeyMap::NotADigit, event)) {
        label = -1;
    }
    if (label == -2) {
        return false;
    }
    const annotation::HistoryEntry &entry = m_history[m_historyIndex];
    if (!entry.reviewed && !m_busy) {
        m_busy = true;
        Q_EMIT requestRelabel(entry.decision.labelId, label);
    }
    return true;
}

void AnnotateView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    if (m_historyMode) {
        if (handleHistoryKey(event)) {
            event->accept();
        } else {
            QWidget::keyPressEvent(event);
        }
        return;
    }
    if (m_keys.matches(KeyMap::Help, event)) {
        m_help->setVisible(!m_help->isVisible());
        placeHelp();
        event->accept();
        return;
    }
    if (!m_gridMode && key == Qt::Key_Left && !m_busy && m_typedAhead.empty()) {
        m_busy = true;
        m_historyFocusImage = 0;
        Q_EMIT requestHistory();
        event->accept();
        return;
    }
    if (m_keys.matches(KeyMap::Grid, event) && m_typedAhead.empty()) {
        setGridMode(!m_gridMode);
        event->accept();
        return;
    }
    if (m_gridMode) {
        if (handleGridKey(event)) {
            event->accept();
        } else {
            QWidget::keyPressEvent(event);
        }
        return;
    }
    // A decision typed while the last one is being saved is kept for the strip's image at that
    // place; past the strip's end there is no image the person has seen, so the key is refused.
    if (isDecisionKey(event) && (m_busy || !m_typedAhead.empty())) {
        const auto place = static_cast<qsizetype>(m_typedAhead.size());
        if (m_awaitingNext && place < m_stripIds.size()) {
            m_typedAhead.push_back({event->keyCombination(), m_stripIds[place]});
        } else {
            ++m_refusedKeys;
        }
        event->accept();
        return;
    }
    if (handleSingleKey(event->keyCombination())) {
        event->accept();
    } else {
        QWidget::keyPressEvent(event);
    }
}

bool AnnotateView::handleSingleKey(const QKeyCombination &combination)
{
    const QKeyEvent event(QEvent::KeyPress, combination.key(), combination.keyboardModifiers());
    const int key = combination.key();
    if (key >= Qt::Key_0 && key <= Qt::Key_9 &&
        !(combination.keyboardModifiers() & Qt::ControlModifier)) {
        decide(key - Qt::Key_0);
    } else if (m_keys.matches(KeyMap::Accept, &event)) {
        if (m_current && m_current->predictedLabel >= 0) {
            decide(m_current->predictedLabel);
        }
    } else if (m_keys.matches(KeyMap::NotADigit, &event)) {
        decide(-1);
    } else if (m_keys.matches(KeyMap::Skip, &event)) {
        if (!m_busy && m_current) {
            m_busy = true;
            m_awaitingNext = true;
            Q_EMIT requestSkip(m_current->imageId);
        }
    } else if (m_keys.matches(KeyMap::Undo, &event)) {
        if (!m_busy) {
            m_busy = true;
            Q_EMIT requestUndo();
        }
    } else {
        return false;
    }
    return true;
}

void AnnotateView::loadOriginal(qint64 imageId, const QString &sha256)
{
    m_original->setPlaceholderText(tr("Loading the original scan…"));
    if (m_originalWatcher->isRunning()) {
        m_originalNext = {imageId, sha256};
        return;
    }
    m_originalWatcher->setFuture(QtConcurrent::run(originalScanPool(), loadOriginalScan,
                                                   m_workspace.blobs(), imageId, sha256,
                                                   QSize(2 * ImageSide, 2 * ImageSide)));
}

void AnnotateView::handleOriginalLoaded()
{
    const OriginalScan scan = m_originalWatcher->result();
    if (m_originalNext) {
        const auto [imageId, sha256] = *std::exchange(m_originalNext, std::nullopt);
        if (imageId != scan.imageId) {
            loadOriginal(imageId, sha256);
        }
    }
    if (!m_current || m_current->imageId != scan.imageId) {
        return;
    }
    if (scan.image.isNull()) {
        m_original->setPlaceholderText(scan.problem);
    } else {
        m_original->setImage(scan.image);
    }
}

} // namespace digitdesk::ui
