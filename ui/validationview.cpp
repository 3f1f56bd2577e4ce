#include "ui/validationview.h"

#include "annotation/permission.h"
#include "storage/workspace.h"
#include "ui/appearance.h"
#include "ui/releaseevidencepane.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

QTableWidgetItem *cell(const QString &text, qint64 modelId)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setData(Qt::UserRole, modelId);
    item->setToolTip(text);
    return item;
}

QString decisionText(const annotation::ReleaseCandidate &candidate)
{
    if (!candidate.latest) {
        return QObject::tr("—");
    }
    return QObject::tr("%1, %2").arg(
        candidate.latest->decidedBy,
        candidate.latest->decidedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
}

} // namespace

ValidationView::ValidationView(const storage::Workspace &workspace, annotation::Principal who,
                               QWidget *parent)
    : QWidget(parent),
      m_worker(new ValidationWorker(workspace.databasePath(), workspace.root(), who)),
      m_who(std::move(who)), m_list(new QTableWidget(this)), m_status(new QLabel(this)),
      m_waiver(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_cancelEvaluation(new QPushButton(tr("Cancel evaluation"), this)),
      m_evaluateAgain(new QPushButton(tr("Evaluate again"), this)),
      m_evidence(new ReleaseEvidencePane(this)), m_decisionBox(new QWidget(this)),
      m_comment(new QPlainTextEdit(this)), m_approve(new QPushButton(tr("&Approve release"), this)),
      m_reject(new QPushButton(tr("Re&ject release"), this))
{
    setObjectName(QStringLiteral("validationView"));
    m_list->setObjectName(QStringLiteral("releaseCandidates"));
    // Who trained it and on which version: in the lineage beside, for the selected one.
    m_list->setColumnCount(4);
    m_list->setHorizontalHeaderLabels(
        {tr("Model"), tr("Release"), tr("Held-out"), tr("Last decision")});
    m_list->verticalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_status->setObjectName(QStringLiteral("validationStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_waiver->setObjectName(QStringLiteral("validationWaiver"));
    m_waiver->setTextFormat(Qt::PlainText);
    m_waiver->setWordWrap(true);
    m_waiver->setStyleSheet(QStringLiteral("QLabel { %1 }").arg(toneStyle(Tone::Error, true)));
    m_waiver->setText(tr("Release sign-off is waived: models reach production without an ML QA "
                         "approval, whatever is decided here."));
    m_waiver->hide();
    m_progress->setObjectName(QStringLiteral("evidenceProgress"));
    m_progress->setVisible(false);
    m_cancelEvaluation->setObjectName(QStringLiteral("cancelEvaluation"));
    m_cancelEvaluation->setVisible(false);
    m_evaluateAgain->setObjectName(QStringLiteral("evaluateAgain"));
    m_evaluateAgain->setVisible(false);
    m_comment->setObjectName(QStringLiteral("decisionComment"));
    m_comment->setPlaceholderText(tr("Why (required to reject, or to approve despite a failed "
                                     "check; kept with the decision)"));
    m_comment->setTabChangesFocus(true);
    m_approve->setObjectName(QStringLiteral("approveRelease"));
    m_approve->setToolTip(
        tr("Approve the selected model for production, once its evidence is on screen"));
    m_reject->setObjectName(QStringLiteral("rejectRelease"));
    m_reject->setToolTip(tr("Reject the selected model; needs a comment"));

    auto *decision = new QVBoxLayout(m_decisionBox);
    decision->setContentsMargins(0, 0, 0, 0);
    auto *decisionLabel = new QLabel(tr("&Decision on the selected model"), m_decisionBox);
    QFont bold = decisionLabel->font();
    bold.setBold(true);
    decisionLabel->setFont(bold);
    decisionLabel->setBuddy(m_comment);
    decision->addWidget(decisionLabel);
    decision->addWidget(m_comment, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_approve);
    buttons->addWidget(m_reject);
    decision->addLayout(buttons);
    // Only ML QA (and admin) decide; the others read. annotation/ checks it again anyway.
    m_decisionBox->setVisible(annotation::isAllowed(m_who.role, annotation::Action::ValidateModel));

    // The list and the decision above the evidence: the comparison needs the whole width, and
    // Approve and Reject stay in sight however tall the evidence is.
    auto *top = new QWidget(this);
    auto *topLayout = new QHBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *listColumn = new QVBoxLayout;
    listColumn->addWidget(new QLabel(tr("<b>Releases</b>: waiting first"), top));
    listColumn->addWidget(m_list, 1);
    topLayout->addLayout(listColumn, 3);
    topLayout->addWidget(m_decisionBox, 2);
    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelEvaluation);
    progressRow->addWidget(m_evaluateAgain);
    progressRow->addStretch(0);
    bottomLayout->addLayout(progressRow);
    bottomLayout->addWidget(m_evidence, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    m_list->setMinimumHeight(m_list->verticalHeader()->defaultSectionSize() * 3);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_waiver);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    // Tab leaves the tables; within the list only another row is another model.
    for (QAbstractItemView *table : findChildren<QAbstractItemView *>()) {
        table->setTabKeyNavigation(false);
    }
    connect(m_list, &QTableWidget::currentCellChanged, this, [this](int row, int, int previousRow) {
        if (row != previousRow) {
            loadSelected();
        }
    });
    connect(m_comment, &QPlainTextEdit::textChanged, this, &ValidationView::updateButtons);
    connect(m_cancelEvaluation, &QPushButton::clicked, this, &ValidationView::cancelEvaluation);
    connect(m_evaluateAgain, &QPushButton::clicked, this, &ValidationView::loadSelected);
    connect(m_approve, &QPushButton::clicked, this, &ValidationView::approveSelected);
    connect(m_reject, &QPushButton::clicked, this, &ValidationView::rejectSelected);
    connectWorker();
    setStatus(tr("Reading the releases…"), false);
    updateButtons();
}

ValidationView::~ValidationView()
{
    m_worker->want(0);
    m_thread.quit();
    m_thread.wait();
}

void ValidationView::connectWorker()
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &ValidationView::requestCandidates, m_worker, &ValidationWorker::loadCandidates);
    connect(this, &ValidationView::requestEvidence, m_worker, &ValidationWorker::loadEvidence);
    connect(this, &ValidationView::requestDecision, m_worker, &ValidationWorker::decide);
    connect(m_worker, &ValidationWorker::candidatesReady, this, &ValidationView::handleCandidates);
    connect(m_worker, &ValidationWorker::evidenceReady, this, &ValidationView::handleEvidence);
    connect(
        m_worker, &ValidationWorker::evidenceProgressed, this, [this](qint64 done, qint64 total) {
            m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
            m_progress->setValue(static_cast<int>(done));
            m_progress->setFormat(tr("%1 of %2 answers (this model and production)")
                                      .arg(QLocale().toString(done), QLocale().toString(total)));
        });
    connect(m_worker, &ValidationWorker::evidenceCancelled, this, [this](qint64 modelId) {
        if (modelId != selectedModel()) {
            return;
        }
        showEvaluating(false);
        m_evaluateAgain->setVisible(true);
        m_evidence->showMessage(
            tr("Evaluation of model %1 cancelled: no evidence, so no decision yet.").arg(modelId));
        Q_EMIT evaluationCancelled(modelId);
    });
    connect(m_worker, &ValidationWorker::evidenceFailed, this,
            [this](qint64 modelId, const QString &reason) {
                if (modelId != selectedModel()) {
                    return;
                }
                showEvaluating(false);
                m_evidence->showMessage(
                    tr("No evidence for model %1: %2").arg(modelId).arg(reason));
            });
    connect(
        m_worker, &ValidationWorker::decided, this,
        [this](const annotation::ReleaseDecision &decision) {
            m_deciding = false;
            m_statusFromAction = true;
            m_comment->clear();
            // The decision joins the evidence on screen without evaluating it again.
            if (m_evidenceShown && m_evidenceShown->model.id == decision.modelId) {
                m_evidenceShown->decisions.push_back(decision);
                m_evidenceShown->status = decision.approved ? annotation::ReleaseStatus::Approved
                                                            : annotation::ReleaseStatus::Rejected;
                m_evidence->showEvidence(*m_evidenceShown);
            }
            setStatus(
                decision.approved
                    ? tr("Model %1 approved for release by %2. An ML engineer may "
                         "promote it now.")
                          .arg(decision.modelId)
                          .arg(decision.decidedBy)
                    : tr("Model %1 rejected by %2.").arg(decision.modelId).arg(decision.decidedBy),
                false);
            updateButtons();
            Q_EMIT decisionShown(decision);
        });
    connect(m_worker, &ValidationWorker::failed, this,
            [this](const QString &what, const QString &why) {
                m_deciding = false;
                m_statusFromAction = true;
                setStatus(tr("%1 failed: %2").arg(what, why), true);
                updateButtons();
                Q_EMIT actionFailed(why);
            });
    m_thread.start();
}

void ValidationView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void ValidationView::refresh()
{
    m_statusFromAction = false;
    Q_EMIT requestCandidates();
}

qint64 ValidationView::selectedModel() const
{
    const QTableWidgetItem *item = m_list->item(m_list->currentRow(), 0);
    return item != nullptr ? item->data(Qt::UserRole).toLongLong() : 0;
}

void ValidationView::selectModel(qint64 modelId)
{
    for (int row = 0; row < m_list->rowCount(); ++row) {
        if (m_list->item(row, 0)->data(Qt::UserRole).toLongLong() == modelId) {
            m_list->setCurrentCell(row, 0);
            return;
        }
    }
}

QString ValidationView::statusText() const
{
    return m_status->text();
}

bool ValidationView::waiverShown() const
{
    return !m_waiver->isHidden();
}

void ValidationView::setStatus(const QString &text, bool problem)
{
    m_status->setText(text);
    m_status->setStyleSheet(problem ? QStringLiteral("QLabel { %1 }").arg(toneStyle(Tone::Error))
                                    : QString());
}

void ValidationView::handleCandidates(const std::vector<annotation::ReleaseCandidate> &candidates)
{
    const qint64 selected = selectedModel();
    m_candidates = candidates;
    const QSignalBlocker blocker(m_list);
    m_list->setRowCount(static_cast<int>(candidates.size()));
    int pending = 0;
    for (int row = 0; row < static_cast<int>(candidates.size()); ++row) {
        const annotation::ReleaseCandidate &candidate = candidates[static_cast<size_t>(row)];
        const qint64 id = candidate.model.id;
        pending += candidate.status == annotation::ReleaseStatus::PendingValidation ? 1 : 0;
        m_list->setItem(
            row, 0,
            cell(candidate.isProduction ? tr("%1 · production").arg(id) : QString::number(id), id));
        m_list->setItem(row, 1, cell(annotation::toString(candidate.status), id));
        m_list->setItem(
            row, 2,
            cell(candidate.recordedAccuracy >= 0
                     ? QStringLiteral("%1%").arg(candidate.recordedAccuracy * 100, 0, 'f', 2)
                     : tr("—"),
                 id));
        m_list->setItem(row, 3, cell(decisionText(candidate), id));
    }
    m_list->resizeColumnsToContents();
    if (!m_deciding && !m_statusFromAction) {
        setStatus(candidates.empty()
                      ? tr("No model waits for a release decision, and none was decided yet.")
                      : tr("%1 model(s) wait for a release decision.").arg(pending),
                  false);
    }
    if (candidates.empty()) {
        m_evidence->showMessage(tr("Nothing to validate: a model trained in the Training view "
                                   "appears here, pending validation."));
    }
    selectModel(selected > 0 ? selected : (candidates.empty() ? 0 : candidates.front().model.id));
    if (selectedModel() != m_shown) {
        loadSelected();
    }
    updateButtons();
    Q_EMIT candidatesShown();
}

void ValidationView::loadSelected()
{
    const qint64 modelId = selectedModel();
    updateButtons();
    if (modelId <= 0) {
        return;
    }
    m_shown = modelId;
    m_evidenceShown.reset();
    m_worker->want(modelId);
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    showEvaluating(true);
    m_evidence->showMessage(
        tr("Evaluating model %1 on its version's held-out split beside production…").arg(modelId));
    Q_EMIT requestEvidence(modelId);
}

void ValidationView::handleEvidence(const annotation::ReleaseEvidence &evidence)
{
    if (evidence.model.id != selectedModel()) {
        return;
    }
    showEvaluating(false);
    m_evidenceShown = evidence;
    m_evidence->showEvidence(evidence);
    m_waiver->setVisible(evidence.waived);
    updateButtons();
    Q_EMIT evidenceShown(evidence.model.id);
}

void ValidationView::showEvaluating(bool evaluating)
{
    m_progress->setVisible(evaluating);
    m_cancelEvaluation->setVisible(evaluating);
    m_cancelEvaluation->setEnabled(evaluating);
    m_evaluateAgain->setVisible(false);
}

void ValidationView::cancelEvaluation()
{
    m_cancelEvaluation->setEnabled(false);
    m_worker->cancelEvidence();
}

void ValidationView::updateButtons()
{
    const bool ready = selectedModel() > 0 && !m_deciding;
    m_approve->setEnabled(ready && evidenceOnScreen() &&
                          m_evidenceShown->status != annotation::ReleaseStatus::Approved);
    m_reject->setEnabled(ready && !m_comment->toPlainText().trimmed().isEmpty());
}

void ValidationView::approveSelected()
{
    decide(true);
}

void ValidationView::rejectSelected()
{
    decide(false);
}

void ValidationView::decide(bool approve)
{
    const qint64 modelId = selectedModel();
    const QString comment = m_comment->toPlainText().trimmed();
    if (modelId <= 0 || (!approve && comment.isEmpty())) {
        return;
    }
    if (approve && (!m_approve->isEnabled() || !confirmApproval(modelId, comment))) {
        return;
    }
    m_deciding = true;
    updateButtons();
    setStatus(approve ? tr("Approving model %1…").arg(modelId)
                      : tr("Rejecting model %1…").arg(modelId),
              false);
    Q_EMIT requestDecision(modelId, approve, comment);
}

bool ValidationView::evidenceOnScreen() const
{
    return m_evidenceShown && m_evidenceShown->model.id == selectedModel();
}

// A model that fails a check may still be approved, on purpose and with the reason kept.
bool ValidationView::confirmApproval(qint64 modelId, const QString &comment)
{
    QStringList failed;
    for (const annotation::ChecklistItem &item : m_evidenceShown->checklist) {
        if (!item.passed) {
            failed << item.name;
        }
    }
    if (failed.isEmpty()) {
        return true;
    }
    const QString title = tr("Approve model %1").arg(modelId);
    const QString fails = tr("Model %1 fails the release checklist: %2.")
                              .arg(modelId)
                              .arg(failed.join(QStringLiteral(", ")));
    if (comment.isEmpty()) {
        QMessageBox::warning(this, title,
                             tr("%1\n\nApproving it anyway needs a comment that says why: "
                                "type one under Decision, then approve again.")
                                 .arg(fails));
        m_comment->setFocus();
        return false;
    }
    return QMessageBox::question(
               this, title,
               tr("%1\n\nApprove it for production anyway, with your comment?").arg(fails),
               QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

} // namespace digitdesk::ui
