#pragma once

#include "annotation/principal.h"
#include "annotation/qualityfigures.h"
#include "annotation/reviewservice.h"
#include "storage/label.h"
#include "ui/labelmetatype.h"
#include "ui/reviewoperations.h"

#include <QThread>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QTableView;

namespace digitdesk::ui {

class KappaTableModel;
class ReviewWorker;

// Reviewers approve (Enter or a), correct (a digit: correct and approve; the annotator's own
// digit approves), make gold (g) or reject (r, with an optional comment for the annotator)
// labelled images, disagreements first, with the image's history and any earlier rejection
// beside it; Backspace or Ctrl+Z undoes the last decision, F1 or ? shows the keys. Own labels
// are never offered (four eyes, enforced in annotation/). Every request runs on a worker
// thread and names the image it is about; the next image appears once the decision is
// committed, and a key typed before it appears applies to nothing. A failure is said in the
// message line; a next image that could not be read is asked for again.
class ReviewView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewView)

public:
    // The review service comes from `services`, called on the view's worker thread.
    ReviewView(ReviewServiceFactory services, annotation::Principal who, QWidget *parent = nullptr);
    ~ReviewView() override;

    // Asks for the next image (and the figures, the first time).
    void loadNext();
    bool isBusy() const { return m_busy; }
    qint64 currentImageId() const { return m_current ? m_current->imageId : 0; }
    KappaTableModel *kappaModel() const { return m_kappaModel; }
    // Where `r` asks for the rejection's comment; tests replace the dialog.
    void setCommentProvider(std::function<std::optional<QString>()> provider)
    {
        m_comment = std::move(provider);
    }

Q_SIGNALS:
    void requestNext();
    void requestFigures();
    void requestApprove(qint64 imageId);
    void requestCorrect(qint64 imageId, digitdesk::storage::Label label);
    void requestApproveAsGold(qint64 imageId);
    void requestReject(qint64 imageId, const QString &comment);
    void requestUndo();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void handleItem(const annotation::ReviewItem &item);
    void handleDecided(qint64 imageId);
    void handleNothingToReview();
    void handleFetchFailure(const QString &reason);
    void handleFigures(const annotation::QualityReport &report);
    void handleFailure(const QString &reason);
    void handleUndone(qint64 imageId);
    void handleUndoRefused(const QString &reason);
    void showMessage(const QString &text, const QString &style);
    // Sends a decision on the image on screen, unless one is under way.
    bool startDecision();
    // Approves, corrects, approves as gold or rejects the image on screen by `key` (no
    // modifier); false when `key` is none of those.
    bool decideByKey(int key);
    void handleKey(QKeyEvent *event);
    // Runs a slot's or event handler's body; what it throws is shown in the message line.
    template <typename Action> void guard(Action &&action);

    QThread m_thread;
    ReviewWorker *m_worker;
    std::optional<annotation::ReviewItem> m_current;
    std::function<std::optional<QString>()> m_comment;
    bool m_busy = false;
    bool m_started = false;
    int m_ignoredKeys = 0; // decision keys typed while the next image was on its way
    QTimer m_retry;        // asks again for a next image that could not be read
    QLabel *m_image;
    QLabel *m_labels;
    QLabel *m_rejectedBefore;
    QLabel *m_suspectedError; // the data check's mark and evidence
    QLabel *m_history;
    QLabel *m_message;
    QLabel *m_help;
    QLabel *m_figures;
    KappaTableModel *m_kappaModel;
    QTableView *m_kappaTable;
    QLabel *m_kappaEmpty;
};

} // namespace digitdesk::ui
