#pragma once

#include "annotation/annotationservice.h"
#include "annotation/principal.h"
#include "storage/label.h"
#include "ui/annotatehistory.h"
#include "ui/annotatekeys.h"
#include "ui/annotatesessionfigures.h"
#include "ui/keymap.h"
#include "ui/labelmetatype.h"
#include "ui/typedahead.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <optional>

class QLabel;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class AnnotateButtonBar;
class AnnotateItemPane;
class AnnotateQueueBar;
class AnnotationWorker;
class GridPageView;

// Where annotators spend their day. The queue's figures on top; the current image large in the
// middle (and its scan), the model's top three calibrated guesses; the keys as buttons under
// it: 0-9 label and advance, Enter or a accepts the prediction, x "not a digit", Space skips,
// Backspace or Ctrl+Z undoes, F1 or ? shows the keys, o and c toggle the scan and the contrast
// stretch. The next image appears only once the decision is committed; a failed write is shown
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
    int savedThisSession() const { return m_figures.saved(); }
    bool inGridMode() const { return m_gridMode; }
    bool inHistory() const { return m_history.isActive(); }
    qint64 historyImageId() const { return m_history.imageId(); }
    GridPageView *grid() const { return m_grid; }
    bool isScanShown() const { return m_scanShown; }
    bool isContrastStretched() const { return m_contrast; }
    // The images the strip shows as coming next, in order.
    const QList<qint64> &upcomingImageIds() const;
    void setKeyMap(const KeyMap &keys);
    // Looks at the queue again (after an import, say) when nothing is on screen, and tops up
    // the strip of what comes next.
    void refresh();
    // Takes the leases on the image on screen and the strip again (after the screen was locked).
    void renewLeases();

Q_SIGNALS:
    void requestNext();
    void requestLabel(qint64 imageId, digitdesk::storage::Label label, qint64 timeSpentMs);
    void requestSkip(qint64 imageId);
    void requestUndo();
    void requestPage(int count);
    void requestHistory();
    void requestUpcoming();
    void requestRelabel(qint64 labelId, digitdesk::storage::Label label);
    void requestSavePage(const QList<qint64> &imageIds,
                         const QList<digitdesk::storage::Label> &labels, qint64 timeSpentMs);
    void requestQueueFigures();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void handleItem(const annotation::QueueItem &item);
    void handleSaved(qint64 imageId, storage::Label label, storage::MaybeLabel goldLabel);
    void handleRelabelled(qint64 oldLabelId, const annotation::LabelDecision &decision);
    AnnotateMode mode() const;
    // Carries out what a key asked; false when it does nothing in this mode and state.
    bool act(const AnnotateCommand &command);
    bool actInGrid(const AnnotateCommand &command);
    bool actInHistory(const AnnotateCommand &command);
    // A decision on the image on screen; false when it is none.
    bool perform(const AnnotateCommand &command);
    void replayTypedAhead();
    void dropTypedAhead(const QString &why);
    void sayRefusedKeys();
    enum class MessageKind
    {
        Plain,
        Notice,
        Error,
    };
    void notice(const QString &text);
    void showMessage(MessageKind kind, const QString &text);
    // The message's and the help's colours from the palette, light or dark.
    void applyColours();
    void toggle(AnnotateCommand::Kind toggle);
    void refreshPanel();
    // The queue's figures again shortly: one read for a burst of saves.
    void refreshFiguresSoon();
    void placeHelp();
    void handleEmpty();
    void handleFailure(const QString &reason);
    void handleFetchFailure(const QString &reason);
    void decide(storage::Label label);
    void updateSessionPanel();
    void setGridMode(bool on);
    void handlePage(const QList<annotation::QueueItem> &items);
    void handleHistory(const QList<annotation::HistoryEntry> &entries);
    void leaveHistory();

    annotation::Principal m_who;
    QThread m_thread;
    AnnotationWorker *m_worker;
    std::optional<annotation::QueueItem> m_current;
    bool m_busy = false;
    bool m_started = false;
    AnnotateSessionFigures m_figures;
    QElapsedTimer m_onScreen;
    AnnotateItemPane *m_single;
    QLabel *m_message;
    QLabel *m_sessionPanel;
    QLabel *m_help;
    MessageKind m_messageKind = MessageKind::Plain;
    AnnotateQueueBar *m_queueBar;
    AnnotateButtonBar *m_buttons;
    // The toggles: they hold for every image until toggled again.
    bool m_scanShown = true;
    bool m_contrast = false;
    TypedAhead m_typedAhead;
    bool m_awaitingNext = false; // a label or skip is being saved; the strip's first comes next
    QTimer m_panelTimer;
    QTimer m_emptyPoll;
    QTimer m_figuresSoon;
    GridPageView *m_grid;
    bool m_gridMode = false;
    KeyMap m_keys;
    AnnotateHistory m_history;
};

} // namespace digitdesk::ui
