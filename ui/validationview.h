#pragma once

#include "annotation/principal.h"
#include "ui/validationworker.h"

#include <QThread>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class ReleaseEvidencePane;

// The ML QA's view: the models waiting for a release decision (and the recent decisions); for
// the selected one its evidence (lineage, checklist, baselines, evaluation against production,
// accuracy per slice), read on a worker thread; Approve, or Reject with a comment (Reject stays
// disabled until one is typed). annotation/ checks every decision again, four eyes included: a
// refusal is shown here as it comes.
class ValidationView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ValidationView)

public:
    ValidationView(const storage::Workspace &workspace, annotation::Principal who,
                   QWidget *parent = nullptr);
    ~ValidationView() override;

    ReleaseEvidencePane *evidence() const { return m_evidence; }
    const std::vector<annotation::ReleaseCandidate> &candidates() const { return m_candidates; }
    qint64 selectedModel() const;
    void selectModel(qint64 modelId);
    QString statusText() const;
    bool waiverShown() const;
    // The worker whose signals report the evaluation's progress.
    ValidationWorker *worker() const { return m_worker; }

public Q_SLOTS:
    void refresh();
    void approveSelected();
    void rejectSelected();
    // Stops the selected model's evaluation; "Evaluate again" starts it anew.
    void cancelEvaluation();

Q_SIGNALS:
    void candidatesShown();
    void evidenceShown(qint64 modelId);
    void evaluationCancelled(qint64 modelId);
    void decisionShown(const digitdesk::annotation::ReleaseDecision &decision);
    void actionFailed(const QString &reason);

    void requestCandidates();
    void requestEvidence(qint64 modelId);
    void requestDecision(qint64 modelId, bool approve, const QString &comment);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void connectWorker();
    void handleCandidates(const std::vector<annotation::ReleaseCandidate> &candidates);
    void handleEvidence(const annotation::ReleaseEvidence &evidence);
    void loadSelected();
    void showEvaluating(bool evaluating);
    void decide(bool approve);
    bool evidenceOnScreen() const;
    bool confirmApproval(qint64 modelId, const QString &comment);
    void updateButtons();
    void setStatus(const QString &text, bool problem);

    QThread m_thread;
    ValidationWorker *m_worker;
    annotation::Principal m_who;
    std::vector<annotation::ReleaseCandidate> m_candidates;
    QTableWidget *m_list;
    QLabel *m_status;
    QLabel *m_waiver;
    QProgressBar *m_progress;
    QPushButton *m_cancelEvaluation;
    QPushButton *m_evaluateAgain;
    ReleaseEvidencePane *m_evidence;
    QWidget *m_decisionBox;
    QPlainTextEdit *m_comment;
    QPushButton *m_approve;
    QPushButton *m_reject;
    qint64 m_shown = 0; // the model whose evidence is asked for or on screen
    std::optional<annotation::ReleaseEvidence> m_evidenceShown;
    bool m_deciding = false;
    bool m_statusFromAction = false; // a decision's outcome stays until the next refresh
};

} // namespace digitdesk::ui
