#include "ui/annotateview.h"

#include "storage/workspace.h"
#include "ui/annotationworker.h"
#include "ui/gridpageview.h"
#include "ui/imagelistmodel.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace digitdesk::ui {
namespace {

constexpr int ImageSide = 336; // 28 x 12

QString helpText(const KeyMap &keys)
{
    const auto key = [&](KeyMap::Action action) {
        return keys.key(action).toString(QKeySequence::NativeText).toHtmlEscaped();
    };
    return QObject::
        tr("<b>Keys</b> (File &gt; Keys… changes them)<br>"
           "0 - 9 &nbsp; label and go on<br>"
           "%1 or Enter &nbsp; accept the model's answer<br>"
           "%2 &nbsp; not a digit / unreadable<br>"
           "%3 &nbsp; skip (it comes back later)<br>"
           "%4 or Backspace &nbsp; undo your last label<br>"
           "Left / Right &nbsp; look back through your last 50 labels; a digit or %2 changes one"
           " (until it is reviewed); Esc comes back<br>"
           "%5 &nbsp; grid mode: a page of confident answers; arrows move, a digit or %2 corrects,"
           " %1 or Enter accepts the page<br>"
           "%6 or F1 &nbsp; show or hide these keys")
            .arg(key(KeyMap::Accept), key(KeyMap::NotADigit), key(KeyMap::Skip), key(KeyMap::Undo),
                 key(KeyMap::Grid), key(KeyMap::Help));
}

} // namespace

AnnotateView::AnnotateView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_workspace(workspace), m_who(std::move(who)),
      m_worker(new AnnotationWorker(workspace.databasePath(), m_who)), m_image(new QLabel(this)),
      m_original(new QLabel(this)), m_prediction(new QLabel(this)), m_message(new QLabel(this)),
      m_sessionPanel(new QLabel(this)), m_help(new QLabel(this))
{
    qRegisterMetaType<annotation::QueueItem>();
    qRegisterMetaType<QList<annotation::QueueItem>>();
    qRegisterMetaType<QList<annotation::HistoryEntry>>();
    setFocusPolicy(Qt::StrongFocus);
    m_image->setObjectName(QStringLiteral("currentImage"));
    m_image->setFixedSize(ImageSide, ImageSide);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("background: black; color: #bbb;"));
    m_original->setObjectName(QStringLiteral("currentScan"));
    m_original->setFixedSize(ImageSide, ImageSide);
    m_original->setAlignment(Qt::AlignCenter);
    m_prediction->setObjectName(QStringLiteral("prediction"));
    m_prediction->setTextFormat(Qt::RichText);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_sessionPanel->setObjectName(QStringLiteral("sessionPanel"));
    m_help->setObjectName(QStringLiteral("help"));
    setKeyMap(KeyMap::load());
    m_help->setStyleSheet(
        QStringLiteral("background: #fffbe6; border: 1px solid #d4b106; padding: 8px;"));
    m_help->hide();

    auto *images = new QHBoxLayout;
    images->addWidget(m_image);
    images->addWidget(m_original);
    images->addStretch(1);
    auto *strip = new QHBoxLayout;
    strip->addWidget(new QLabel(tr("Next:"), this));
    for (int i = 0; i < AnnotationWorker::StripLength; ++i) {
        auto *tile = new QLabel(this);
        tile->setFixedSize(56, 56);
        tile->setStyleSheet(QStringLiteral("background: black;"));
        m_strip << tile;
        strip->addWidget(tile);
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
    layout->addWidget(m_help);
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
    connect(m_worker, &AnnotationWorker::upcomingReady, this, &AnnotateView::handleUpcoming);
    connect(this, &AnnotateView::requestPage, m_worker, &AnnotationWorker::fetchPage);
    connect(this, &AnnotateView::requestHistory, m_worker, &AnnotationWorker::fetchHistory);
    connect(this, &AnnotateView::requestRelabel, m_worker, &AnnotationWorker::relabel);
    connect(m_worker, &AnnotationWorker::historyReady, this, &AnnotateView::handleHistory);
    connect(this, &AnnotateView::requestSavePage, m_worker, &AnnotationWorker::savePage);
    connect(m_worker, &AnnotationWorker::pageReady, this, &AnnotateView::handlePage);
    connect(m_worker, &AnnotationWorker::pageSaved, this, [this](int count) {
        m_saved += count;
        updateSessionPanel();
    });
    connect(m_worker, &AnnotationWorker::queueEmpty, this, &AnnotateView::handleEmpty);
    connect(m_worker, &AnnotationWorker::failed, this, &AnnotateView::handleFailure);
    connect(m_worker, &AnnotationWorker::undone, this, [this](qint64, int) {
        m_saved = std::max(0, m_saved - 1);
        m_message->setStyleSheet({});
        m_message->setText(tr("Undone: label it again."));
    });
    m_thread.setObjectName(QStringLiteral("annotation worker"));
    m_thread.start();
    m_session.start();
    updateSessionPanel();
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

void AnnotateView::start()
{
    if (m_started) {
        return;
    }
    m_started = true;
    m_busy = true;
    Q_EMIT requestNext();
}

void AnnotateView::handleItem(const annotation::QueueItem &item)
{
    m_busy = false;
    m_current = item;
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(item.pixels))
            .scaled(ImageSide, ImageSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    m_original->clear();
    if (!item.originalSha256.isEmpty() && m_workspace.blobs().contains(item.originalSha256)) {
        QPixmap scan;
        scan.loadFromData(m_workspace.blobs().read(item.originalSha256));
        m_original->setPixmap(
            scan.scaled(ImageSide, ImageSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
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
    if (!item.sentBack.isEmpty()) {
        m_message->setStyleSheet(QStringLiteral("background: #fff4ce; padding: 6px;"));
        m_message->setText(tr("Sent back by %1").arg(item.sentBack));
    }
    m_onScreen.start();
}

void AnnotateView::handleSaved(qint64, int label, int goldLabel)
{
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

void AnnotateView::handleUpcoming(const QList<QByteArray> &pixels)
{
    for (qsizetype i = 0; i < m_strip.size(); ++i) {
        QLabel *tile = m_strip[i];
        if (i < pixels.size()) {
            tile->setPixmap(QPixmap::fromImage(ImageListModel::toImage(pixels[i])).scaled(56, 56));
        } else {
            tile->clear();
        }
    }
}

void AnnotateView::handleEmpty()
{
    m_busy = false;
    m_current.reset();
    m_image->clear();
    m_image->setText(tr("Nothing to label"));
    m_original->clear();
    m_prediction->setText(
        tr("The queue is empty: every incoming image is labelled or on someone's screen."));
}

void AnnotateView::handleFailure(const QString &reason)
{
    m_busy = false;
    m_message->setStyleSheet(
        QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;"));
    m_message->setText(tr("Not saved: %1").arg(reason));
}

void AnnotateView::decide(int label)
{
    if (m_busy || !m_current) {
        return;
    }
    m_busy = true;
    Q_EMIT requestLabel(m_current->imageId, label, m_onScreen.elapsed());
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
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(entry.pixels))
            .scaled(ImageSide, ImageSide, Qt::KeepAspectRatio, Qt::FastTransformation));
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
    if (!m_gridMode && key == Qt::Key_Left && !m_busy) {
        m_busy = true;
        m_historyFocusImage = 0;
        Q_EMIT requestHistory();
        event->accept();
        return;
    }
    if (m_keys.matches(KeyMap::Grid, event)) {
        setGridMode(!m_gridMode);
        event->accept();
        return;
    }
    if (m_gridMode && !m_keys.matches(KeyMap::Help, event)) {
        if (handleGridKey(event)) {
            event->accept();
        } else {
            QWidget::keyPressEvent(event);
        }
        return;
    }
    if (key >= Qt::Key_0 && key <= Qt::Key_9 && !(event->modifiers() & Qt::ControlModifier)) {
        decide(key - Qt::Key_0);
    } else if (m_keys.matches(KeyMap::Accept, event)) {
        if (m_current && m_current->predictedLabel >= 0) {
            decide(m_current->predictedLabel);
        }
    } else if (m_keys.matches(KeyMap::NotADigit, event)) {
        decide(-1);
    } else if (m_keys.matches(KeyMap::Skip, event)) {
        if (!m_busy && m_current) {
            m_busy = true;
            Q_EMIT requestSkip(m_current->imageId);
        }
    } else if (m_keys.matches(KeyMap::Undo, event)) {
        if (!m_busy) {
            m_busy = true;
            Q_EMIT requestUndo();
        }
    } else if (m_keys.matches(KeyMap::Help, event)) {
        m_help->setVisible(!m_help->isVisible());
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace digitdesk::ui
