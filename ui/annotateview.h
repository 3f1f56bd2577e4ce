#pragma once

#include "annotation/annotationservice.h"
#include "annotation/principal.h"
#include "ui/keymap.h"
#include "ui/originalscan.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QKeyCombination>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <deque>
#include <optional>

class QLabel;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class AnnotationWorker;
class GridPageView;
class ScaledImageView;

// Where annotators spend their day. The current image large (and its scan), the model's
// top three calibrated guesses, and the keys: 0-9 label and advance, Enter or a accepts the
// prediction, x "not a digit", Space skips, Backspace or Ctrl+Z undoes, F1 or ? shows the
// keys. The next image appears only once the decision is committed; a failed write is shown
// in red and the image stays. Keys typed while a decision is being saved wait their turn, so
// an annotator who types ahead what the "Next" strip shows labels exactly those images.
class AnnotateView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnnotateView)

public:
    AnnotateView(const storage::Workspace &workspace, annotation::Principal who,
                 QWidget *parent = nullptr);
    ~AnnotateView() override;

    // Asks for the first item; called when the view is first shown.
    void start();
    bool isBusy() const { return m_busy; }
    qint64 currentImageId() const { return m_current ? m_current->imageId : 0; }
    int savedThisSession() const { return m_saved; }
    bool inGridMode() const { return m_gridMode; }
    bool inHistory() const { return m_historyMode; }
    qint64 historyImageId() const;
    GridPageView *grid() const { return m_grid; }
    // The images the strip shows as coming next, in order.
    const QList<qint64> &upcomingImageIds() const { return m_stripIds; }
    void setKeyMap(const KeyMap &keys);
    // Looks at the queue again (after an import, say) when nothing is on screen, and tops up
    // the strip of what comes next.
    void refresh();
    // Takes the leases on the image on screen and the strip again (after the screen was locked).
    void renewLeases();

Q_SIGNALS:
    void requestNext();
    void requestLabel(qint64 imageId, int label, qint64 timeSpentMs);
    void requestSkip(qint64 imageId);
    void requestUndo();
    void requestPage(int count);
    void requestHistory();
    void requestUpcoming();
    void requestRelabel(qint64 labelId, int label);
    void requestSavePage(const QList<qint64> &imageIds, const QList<int> &labels,
                         qint64 timeSpentMs);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void handleItem(const annotation::QueueItem &item);
    void handleSaved(qint64 imageId, int label, int goldLabel);
    void handleUpcoming(const QList<qint64> &imageIds, const QList<QByteArray> &pixels);
    void showStrip(const QList<QByteArray> &pixels);
    void handleRelabelled(qint64 oldLabelId, const annotation::LabelDecision &decision);
    bool isDecisionKey(const QKeyEvent *event) const;
    // Acts on one key of the single-image mode; false when it is not one of its keys.
    bool handleSingleKey(const QKeyCombination &key);
    void replayTypedAhead();
    void dropTypedAhead(const QString &why);
    void placeHelp();
    void handleEmpty();
    void handleFailure(const QString &reason);
    void handleFetchFailure(const QString &reason);
    void decide(int label);
    void updateSessionPanel();
    void setGridMode(bool on);
    void handlePage(const QList<annotation::QueueItem> &items);
    bool handleGridKey(QKeyEvent *event);
    bool handleHistoryKey(QKeyEvent *event);
    void handleHistory(const QList<annotation::HistoryEntry> &entries);
    void showHistoryEntry();
    void leaveHistory();
    void loadOriginal(qint64 imageId, const QString &sha256);
    void handleOriginalLoaded();

    const storage::Workspace &m_workspace;
    annotation::Principal m_who;
    QThread m_thread;
    AnnotationWorker *m_worker;
    std::optional<annotation::QueueItem> m_current;
    bool m_busy = false;
    bool m_started = false;
    int m_saved = 0;
    int m_goldAnswered = 0;
    int m_goldRight = 0;
    QElapsedTimer m_onScreen;
    QElapsedTimer m_session;
    ScaledImageView *m_image;
    ScaledImageView *m_original;
    // The scan is decoded in the thread pool, one at a time; the latest asked for waits.
    QFutureWatcher<OriginalScan> *m_originalWatcher;
    std::optional<std::pair<qint64, QString>> m_originalNext;
    QLabel *m_prediction;
    QLabel *m_message;
    QLabel *m_sessionPanel;
    QLabel *m_help;
    QList<ScaledImageView *> m_strip;
    QList<qint64> m_stripIds;
    QList<QByteArray> m_stripPixels;
    // A decision key typed while the last one was being saved, and the image it was meant for
    // (the strip's image at that place when it was typed).
    struct TypedKey
    {
        QKeyCombination key;
        qint64 imageId = 0;
    };
    std::deque<TypedKey> m_typedAhead;
    bool m_awaitingNext = false;
    int m_refusedKeys = 0; // typed past the strip's end since the last note of it // a label or
                           // skip is being saved; the strip's first comes next
    QTimer m_panelTimer;
    QTimer m_emptyPoll;
    QWidget *m_single;
    GridPageView *m_grid;
    bool m_gridMode = false;
    bool m_historyMode = false;
    KeyMap m_keys;
    QList<annotation::HistoryEntry> m_history;
    int m_historyIndex = 0;
    qint64 m_historyFocusImage = 0;
};

} // namespace digitdesk::ui
