#include "ui/trainingview.h"

#include "annotation/permission.h"
#include "annotation/retrainingpolicy.h"
#include "storage/workspace.h"
#include "ui/trainingcurves.h"
#include "ui/trainingform.h"
#include "ui/trainingruntablemodel.h"
#include "ui/trainingworker.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace digitdesk::ui {
namespace {

constexpr int MaxLogBlocks = 5000;

QString hyperparametersOf(const TrainingRequest &request)
{
    const QJsonObject json{{QStringLiteral("epochs"), request.epochs},
                           {QStringLiteral("batch_size"), request.batchSize},
                           {QStringLiteral("learning_rate"), request.learningRate},
                           {QStringLiteral("augmentation"), request.augment},
                           {QStringLiteral("seed"), QString::number(request.seed)},
                           {QStringLiteral("threads"), request.threads},
                           {QStringLiteral("device"), request.device}};
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

QString eta(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) {
        return QStringLiteral("—");
    }
    return TrainingRunTableModel::duration(static_cast<qint64>(std::llround(seconds)));
}

} // namespace

TrainingView::TrainingView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent), m_root(workspace.root()), m_who(std::move(who)),
      m_worker(new TrainingWorker(workspace.databasePath(), workspace.root(), m_who)),
      m_process(new TrainingProcess(workspace.root(), this)), m_form(new TrainingForm(this)),
      m_start(new QPushButton(tr("&Start training"), this)),
      m_cancel(new QPushButton(tr("&Cancel run"), this)), m_status(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_speed(new QLabel(this)),
      m_curves(new TrainingCurves(this)), m_tabs(new QTabWidget(this)),
      m_log(new QPlainTextEdit(this)), m_runModel(new TrainingRunTableModel(this)),
      m_runs(new QTableView(this)), m_policyThreshold(new QSpinBox(this)),
      m_policyState(new QLabel(this))
{
    setObjectName(QStringLiteral("trainingView"));
    m_start->setObjectName(QStringLiteral("startTraining"));
    m_start->setToolTip(tr("Start a run with these settings (Ctrl+Return)"));
    m_cancel->setObjectName(QStringLiteral("cancelTraining"));
    m_cancel->setToolTip(tr("Stop the run within two seconds; nothing is registered (Escape)"));
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_progress->setObjectName(QStringLiteral("trainingProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("No run yet"));
    m_speed->setObjectName(QStringLiteral("trainingSpeed"));
    m_speed->setTextFormat(Qt::PlainText);
    m_log->setObjectName(QStringLiteral("trainingLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(MaxLogBlocks);
    m_log->setPlaceholderText(tr("The run's log appears here."));
    m_runs->setObjectName(QStringLiteral("trainingRuns"));
    m_runs->setModel(m_runModel);
    m_runs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runs->verticalHeader()->hide();
    m_runs->horizontalHeader()->setStretchLastSection(true);
    m_runs->setWordWrap(false);

    m_policyThreshold->setObjectName(QStringLiteral("retrainThreshold"));
    m_policyThreshold->setRange(0, annotation::RetrainingPolicy::MaxThreshold);
    m_policyThreshold->setSingleStep(500);
    m_policyThreshold->setSpecialValueText(tr("off"));
    m_policyThreshold->setSuffix(tr(" new approved labels"));
    m_policyThreshold->setToolTip(
        tr("Commit a version and start a run with the default settings once this many labels "
           "were approved since the production model's version (0: off). The model waits for "
           "an ML engineer to promote it. Checked every minute here, by `digitdesk serve`, and "
           "by `digitdesk retrain --if-due`."));
    m_policyThreshold->setEnabled(
        annotation::isAllowed(m_who.role, annotation::Action::SetRetrainingPolicy));
    m_policyState->setObjectName(QStringLiteral("retrainPolicyState"));
    m_policyState->setTextFormat(Qt::PlainText);
    m_policyState->setWordWrap(true);
    auto *applyPolicy = new QPushButton(tr("Set &policy"), this);
    applyPolicy->setEnabled(m_policyThreshold->isEnabled());
    connect(applyPolicy, &QPushButton::clicked, this,
            [this] { setPolicy(m_policyThreshold->value()); });

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto *top = new QHBoxLayout;
    top->addWidget(m_form, 0);
    top->addLayout(buttons);
    top->addWidget(m_status, 1);

    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_speed);

    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_runs, tr("Run history"));

    auto *policyRow = new QHBoxLayout;
    policyRow->addWidget(new QLabel(tr("Retrain automatically after:"), this));
    policyRow->addWidget(m_policyThreshold);
    policyRow->addWidget(applyPolicy);
    policyRow->addWidget(m_policyState, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(policyRow);
    layout->addLayout(progressRow);
    layout->addWidget(m_curves, 3);
    layout->addWidget(m_tabs, 2);

    connect(m_start, &QPushButton::clicked, this, &TrainingView::startRun);
    connect(m_cancel, &QPushButton::clicked, this, &TrainingView::cancelRun);
    auto *startKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    startKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(startKey, &QShortcut::activated, this, &TrainingView::startRun);
    auto *cancelKey = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    cancelKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelKey, &QShortcut::activated, this, &TrainingView::cancelRun);
    connect(m_process, &TrainingProcess::reported, this, &TrainingView::handleEvent);
    connect(m_process, &TrainingProcess::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_process, &TrainingProcess::ended, this, &TrainingView::handleEnded);
    connectWorker();
    m_policyTimer.setInterval(PolicyCheckMs);
    connect(&m_policyTimer, &QTimer::timeout, this, &TrainingView::checkPolicy);
    m_policyTimer.start();
    setStatus(tr("Choose a dataset version and start a run. Runs go on in their own process; "
                 "the history below shows every run of this workspace."));
    updateButtons();
}

TrainingView::~TrainingView()
{
    m_process->cancelAndWait();
    m_thread.quit();
    m_thread.wait();
}

void TrainingView::connectWorker()
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &TrainingView::requestVersions, m_worker, &TrainingWorker::loadVersions);
    connect(this, &TrainingView::requestRuns, m_worker, &TrainingWorker::loadRuns);
    connect(this, &TrainingView::requestBeginRun, m_worker, &TrainingWorker::beginRun);
    connect(this, &TrainingView::requestEndRun, m_worker, &TrainingWorker::endRun);
    connect(m_worker, &TrainingWorker::checkWarnings, m_form, &TrainingForm::setCheckWarnings);
    connect(m_worker, &TrainingWorker::versionsReady, this,
            [this](const QStringList &tags, const QStringList &descriptions) {
                m_form->setVersions(tags, descriptions);
                Q_EMIT versionsShown();
            });
    connect(m_worker, &TrainingWorker::runsReady, this,
            [this](const std::vector<storage::TrainingRunRecord> &runs) {
                const qint64 selected = m_runs->currentIndex().isValid()
                                            ? m_runModel->run(m_runs->currentIndex().row()).id
                                            : 0;
                m_runModel->setRuns(runs);
                const int row = m_runModel->rowOf(selected);
                if (row >= 0) {
                    m_runs->selectRow(row);
                }
                m_runs->resizeColumnsToContents();
                Q_EMIT runsShown();
            });
    connect(m_worker, &TrainingWorker::runBegun, this, &TrainingView::handleRunBegun);
    connect(m_worker, &TrainingWorker::beginFailed, this, [this](const QString &reason) {
        m_starting = false;
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(tr("Not started"));
        // Another GUI or `serve` may have started the policy's run first: not an error here.
        setStatus(m_policyRun
                      ? tr("The retraining policy's run was not started here: %1").arg(reason)
                      : tr("The run did not start: %1").arg(reason));
        updateButtons();
    });
    connect(this, &TrainingView::requestPolicyCheck, m_worker, &TrainingWorker::checkPolicy);
    connect(this, &TrainingView::requestSetPolicy, m_worker, &TrainingWorker::setPolicy);
    connect(m_worker, &TrainingWorker::policyChecked, this, &TrainingView::handlePolicy);
    connect(m_worker, &TrainingWorker::failed, this,
            [this](const QString &reason) { setStatus(reason); });
    m_thread.start();
}

void TrainingView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void TrainingView::refresh()
{
    Q_EMIT requestVersions();
    Q_EMIT requestRuns();
    Q_EMIT requestPolicyCheck();
}

QString TrainingView::policyText() const
{
    return m_policyState->text();
}

void TrainingView::checkPolicy()
{
    if (!isRunning()) {
        Q_EMIT requestPolicyCheck();
    }
}

void TrainingView::setPolicy(int minNewLabels)
{
    Q_EMIT requestSetPolicy(minNewLabels);
}

void TrainingView::handlePolicy(bool due, int threshold, const QString &reason)
{
    if (!m_policyThreshold->hasFocus()) {
        m_policyThreshold->setValue(threshold);
    }
    m_policyState->setText(reason);
    Q_EMIT policyShown();
    if (due && !isRunning()) {
        // The policy's run uses the product's defaults, whatever the form holds.
        m_pending = TrainingRequest{};
        m_policyRun = true;
        begin(QString(), annotation::RetrainingPolicy::ReasonPrefix + reason);
    }
}

void TrainingView::prepareRunOn(const QString &tag)
{
    m_form->chooseVersion(tag);
}

QString TrainingView::statusText() const
{
    return m_status->text();
}

QString TrainingView::logText() const
{
    return m_log->toPlainText();
}

void TrainingView::startRun()
{
    if (isRunning()) {
        setStatus(
            tr("Run %1 is still going: cancel it or wait for it to end.").arg(m_process->runId()));
        return;
    }
    const QString chosen = m_form->chosenVersion();
    const QString warning = m_form->checkWarning(chosen);
    if (!warning.isEmpty() &&
        QMessageBox::question(this, tr("Train on a marked version?"),
                              tr("%1.\n\nTrain on %2 anyway?").arg(warning, chosen),
                              QMessageBox::Yes | QMessageBox::No,
                              QMessageBox::No) != QMessageBox::Yes) {
        setStatus(tr("Not started: %1.").arg(warning));
        return;
    }
    m_pending = m_form->request();
    m_policyRun = false;
    begin(chosen == TrainingForm::CommitNowEntry ? QString() : chosen, QStringLiteral("manual"));
}

void TrainingView::begin(const QString &chosen, const QString &startedBecause)
{
    const bool commitFirst = chosen.isEmpty();
    m_starting = true;
    updateButtons();
    m_log->clear();
    m_curves->clear(1);
    m_progress->setRange(0, 0); // busy until the child says how many steps
    m_progress->setFormat(tr("Starting…"));
    setStatus(commitFirst ? tr("Committing the approved labels, then starting the run…")
                          : tr("Starting a run on %1…").arg(chosen));
    Q_EMIT requestBeginRun(chosen, hyperparametersOf(m_pending),
                           tr("Approved labels committed to train a model (by %1)").arg(m_who.name),
                           startedBecause);
}

void TrainingView::handleRunBegun(qint64 runId, const QString &tag)
{
    m_pending.runId = runId;
    m_pending.datasetTag = tag;
    QString error;
    if (!m_process->start(m_pending, &error)) {
        m_starting = false;
        Q_EMIT requestEndRun(runId, QStringLiteral("failed"), error, {});
        setStatus(tr("Run %1 did not start: %2").arg(runId).arg(error));
        m_progress->setRange(0, 1);
        m_progress->setFormat(tr("Not started"));
        updateButtons();
        return;
    }
    m_starting = false;
    setStatus(tr("Run %1 on %2: preparing the data…").arg(runId).arg(tag));
    updateButtons();
    Q_EMIT requestRuns();
}

void TrainingView::cancelRun()
{
    if (!m_process->isRunning()) {
        return;
    }
    setStatus(tr("Cancelling run %1…").arg(m_process->runId()));
    m_process->cancel();
    updateButtons();
}

void TrainingView::handleEvent(const TrainingEvent &event)
{
    const QJsonObject &f = event.fields;
    if (event.kind == QStringLiteral("started")) {
        const qint64 steps = f.value(QStringLiteral("steps")).toInteger();
        m_curves->clear(steps);
        m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, steps)));
        m_progress->setValue(0);
        m_progress->setFormat(tr("Starting epoch 1"));
        setStatus(tr("Run %1 on %2 (commit %3): %4 training and %5 held-out images.")
                      .arg(m_process->runId())
                      .arg(f.value(QStringLiteral("dataset")).toString(),
                           f.value(QStringLiteral("commit")).toString().left(12))
                      .arg(f.value(QStringLiteral("train")).toInteger())
                      .arg(f.value(QStringLiteral("validation")).toInteger()));
        return;
    }
    if (event.kind != QStringLiteral("progress")) {
        return;
    }
    const qint64 step = f.value(QStringLiteral("step")).toInteger();
    const qint64 steps = f.value(QStringLiteral("steps")).toInteger();
    if (m_progress->maximum() != steps && steps > 0) {
        m_progress->setRange(0, static_cast<int>(steps));
    }
    m_progress->setValue(static_cast<int>(step));
    m_progress->setFormat(tr("Epoch %1/%2 · step %3/%4 · %p% · ETA %5")
                              .arg(f.value(QStringLiteral("epoch")).toInt())
                              .arg(f.value(QStringLiteral("epochs")).toInt())
                              .arg(step)
                              .arg(steps)
                              .arg(eta(f.value(QStringLiteral("eta_seconds")).toDouble(-1))));
    m_speed->setText(tr("%1 images/s · loss %2 · accuracy %3%")
                         .arg(f.value(QStringLiteral("images_per_second")).toDouble(), 0, 'f', 0)
                         .arg(f.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4)
                         .arg(f.value(QStringLiteral("accuracy")).toDouble() * 100, 0, 'f', 1));
    m_curves->addStep(step, f.value(QStringLiteral("loss")).toDouble(),
                      f.value(QStringLiteral("accuracy")).toDouble());
    if (f.value(QStringLiteral("epoch_end")).toBool()) {
        m_curves->addEpoch(step, f.value(QStringLiteral("accuracy")).toDouble(),
                           f.value(QStringLiteral("validation_accuracy")).toDouble(-1));
    }
}

void TrainingView::handleEnded(TrainingProcess::Outcome outcome, qint64 modelId,
                               const QString &message)
{
    const qint64 runId = m_process->runId();
    m_progress->setRange(0, 1);
    switch (outcome) {
    case TrainingProcess::Outcome::Registered:
        m_progress->setValue(1);
        m_progress->setFormat(tr("Finished: model %1").arg(modelId));
        setStatus(tr("Run %1 finished and registered model %2. Compare it with production and "
                     "promote it in the Models view.")
                      .arg(runId)
                      .arg(modelId));
        Q_EMIT requestRuns();
        Q_EMIT modelTrained(runId, modelId);
        break;
    case TrainingProcess::Outcome::Cancelled:
        m_progress->setValue(0);
        m_progress->setFormat(tr("Cancelled"));
        setStatus(tr("Run %1 was cancelled; no model was registered.").arg(runId));
        Q_EMIT requestEndRun(runId, QStringLiteral("cancelled"), message,
                             m_process->logTail(20).join(QLatin1Char('\n')));
        break;
    case TrainingProcess::Outcome::Failed:
        m_progress->setValue(0);
        m_progress->setFormat(tr("Failed"));
        setStatus(tr("Run %1 failed: %2").arg(runId).arg(message));
        Q_EMIT requestEndRun(runId, QStringLiteral("failed"), message,
                             m_process->logTail(20).join(QLatin1Char('\n')));
        break;
    }
    updateButtons();
    Q_EMIT runEnded(runId);
}

void TrainingView::setStatus(const QString &text)
{
    m_status->setText(text);
}

void TrainingView::updateButtons()
{
    const bool running = isRunning();
    m_start->setEnabled(!running);
    m_form->setEnabled(!running);
    m_cancel->setEnabled(m_process->isRunning());
}

} // namespace digitdesk::ui
