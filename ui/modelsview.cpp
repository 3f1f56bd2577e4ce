#include "ui/modelsview.h"

#include "annotation/modelregistry.h"
#include "annotation/permission.h"
#include "storage/workspace.h"
#include "ui/appearance.h"
#include "ui/comparisonpane.h"
#include "ui/modelcurvechart.h"
#include "ui/modellineagetext.h"
#include "ui/modelpredictionbar.h"
#include "ui/modeltablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

QTableWidgetItem *cell(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

} // namespace

ModelsView::ModelsView(const storage::Workspace &workspace, annotation::Principal who,
                       QWidget *parent)
    : QWidget(parent), m_worker(new ModelsWorker(workspace.databasePath(), workspace.root(), who)),
      m_who(std::move(who)), m_modelTable(new ModelTableModel(this)),
      m_models(new QTableView(this)), m_lineage(new QLabel(this)),
      m_history(new QTableWidget(this)),
      m_promote(new QPushButton(tr("&Promote to production…"), this)),
      m_rollBack(new QPushButton(tr("&Roll back production…"), this)),
      m_compare(new QPushButton(tr("C&ompare with production"), this)),
      m_cancelCompare(new QPushButton(tr("Cancel comparison"), this)),
      m_compareProgress(new QProgressBar(this)), m_predictions(new ModelPredictionBar(this)),
      m_status(new QLabel(this)), m_waiver(new QLabel(this)), m_tabs(new QTabWidget(this)),
      m_comparison(new ComparisonPane(this)), m_curve(new ModelCurveChart(this))
{
    setObjectName(QStringLiteral("modelsView"));
    m_models->setObjectName(QStringLiteral("modelTable"));
    m_models->setModel(m_modelTable);
    m_models->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_models->setSelectionMode(QAbstractItemView::SingleSelection);
    m_models->verticalHeader()->hide();
    m_models->horizontalHeader()->setStretchLastSection(true);
    m_lineage->setObjectName(QStringLiteral("modelLineage"));
    m_lineage->setTextFormat(Qt::PlainText);
    m_lineage->setWordWrap(true);
    m_lineage->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_lineage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_history->setObjectName(QStringLiteral("aliasHistory"));
    m_history->setColumnCount(6);
    m_history->setHorizontalHeaderLabels(
        {tr("When"), tr("Alias"), tr("From"), tr("To"), tr("By"), tr("Why")});
    m_history->verticalHeader()->hide();
    m_history->horizontalHeader()->setStretchLastSection(true);
    m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_promote->setObjectName(QStringLiteral("promoteModel"));
    m_promote->setToolTip(tr("Make the selected model production (Ctrl+P); asks why"));
    m_rollBack->setObjectName(QStringLiteral("rollBackModel"));
    m_rollBack->setToolTip(tr("Move production back to the model it replaced; asks why"));
    m_compare->setObjectName(QStringLiteral("compareModel"));
    m_compare->setToolTip(tr("Evaluate the selected model and production on the same images"));
    m_cancelCompare->setObjectName(QStringLiteral("cancelComparison"));
    m_compareProgress->setObjectName(QStringLiteral("comparisonProgress"));
    m_compareProgress->setVisible(false);
    m_status->setObjectName(QStringLiteral("modelsStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_waiver->setObjectName(QStringLiteral("signOffWaiver"));
    m_waiver->setTextFormat(Qt::PlainText);
    m_waiver->setWordWrap(true);
    m_waiver->setStyleSheet(QStringLiteral("QLabel { %1 }").arg(toneStyle(Tone::Error, true)));
    m_waiver->setText(tr("Release sign-off is waived: models reach production without an ML QA "
                         "approval."));
    m_waiver->hide();

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_promote);
    buttons->addWidget(m_rollBack);
    buttons->addWidget(m_compare);
    buttons->addWidget(m_cancelCompare);
    buttons->addWidget(m_compareProgress, 1);

    auto *registry = new QWidget(this);
    auto *registryLayout = new QHBoxLayout(registry);
    registryLayout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, registry);
    splitter->addWidget(m_models);
    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *lineageTitle = new QLabel(tr("<b>Lineage</b>"), right);
    rightLayout->addWidget(lineageTitle);
    rightLayout->addWidget(m_lineage, 1);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    registryLayout->addWidget(splitter);

    m_tabs->addTab(registry, tr("Registry"));
    m_tabs->addTab(m_history, tr("Alias history"));
    m_tabs->addTab(m_comparison, tr("Comparison"));
    m_tabs->addTab(m_curve, tr("Learning curve"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_waiver);
    layout->addLayout(buttons);
    layout->addWidget(m_predictions);
    layout->addWidget(m_status);
    layout->addWidget(m_tabs, 1);

    connect(m_promote, &QPushButton::clicked, this, &ModelsView::promoteSelected);
    connect(m_rollBack, &QPushButton::clicked, this, &ModelsView::askRollBack);
    connect(m_compare, &QPushButton::clicked, this, &ModelsView::compareSelected);
    connect(m_cancelCompare, &QPushButton::clicked, this, &ModelsView::cancelComparison);
    connect(m_predictions, &ModelPredictionBar::repredictClicked, this,
            &ModelsView::repredictWaiting);
    connect(m_predictions, &ModelPredictionBar::cancelClicked, this,
            [this] { m_worker->predictionCancel() = true; });
    auto *promoteKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_P), this);
    promoteKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(promoteKey, &QShortcut::activated, this, &ModelsView::promoteSelected);
    connect(m_models->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid()) {
                    m_lineage->setText(tr("Reading the lineage…"));
                    Q_EMIT requestLineage(m_modelTable->model(current.row()).id);
                }
                updateButtons();
            });
    connectWorker();
    updateButtons();
}

ModelsView::~ModelsView()
{
    m_worker->comparisonCancel() = true;
    m_worker->predictionCancel() = true;
    m_thread.quit();
    m_thread.wait();
}

void ModelsView::connectWorker()
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &ModelsView::requestRegistry, m_worker, &ModelsWorker::loadRegistry);
    connect(this, &ModelsView::requestLineage, m_worker, &ModelsWorker::loadLineage);
    connect(this, &ModelsView::requestPromote, m_worker, &ModelsWorker::promote);
    connect(this, &ModelsView::requestRollBack, m_worker, &ModelsWorker::rollBack);
    connect(this, &ModelsView::requestCompare, m_worker, &ModelsWorker::compare);
    connect(this, &ModelsView::requestRepredict, m_worker, &ModelsWorker::repredict);
    connect(m_worker, &ModelsWorker::registryReady, this, &ModelsView::handleRegistry);
    connect(m_worker, &ModelsWorker::lineageReady, this, &ModelsView::handleLineage);
    connect(m_worker, &ModelsWorker::aliasMoved, this, [this](const QString &message) {
        m_predictions->finish();
        m_status->setText(message + tr(" A running endpoint swaps to it within a second."));
        Q_EMIT aliasMoved();
    });
    connect(m_worker, &ModelsWorker::predictionProgressed, m_predictions,
            &ModelPredictionBar::showProgress);
    connect(m_worker, &ModelsWorker::predictionsStored, this, [this](const QString &message) {
        m_predictions->finish();
        m_status->setText(message);
        Q_EMIT predictionsShown();
    });
    connect(m_worker, &ModelsWorker::comparisonProgressed, this, [this](qint64 done, qint64 total) {
        m_compareProgress->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
        m_compareProgress->setValue(static_cast<int>(done));
        m_compareProgress->setFormat(tr("%1 of %2 answers (both models)")
                                         .arg(QLocale().toString(done), QLocale().toString(total)));
    });
    connect(m_worker, &ModelsWorker::comparisonReady, this,
            [this](const annotation::ModelComparisonResult &result) {
                m_comparing = false;
                m_compareProgress->setVisible(false);
                if (result.cancelled) {
                    m_status->setText(tr("Comparison cancelled."));
                } else {
                    m_comparison->showResult(result);
                    m_tabs->setCurrentWidget(m_comparison);
                    m_status->setText(result.heldOut.verdict);
                }
                updateButtons();
                Q_EMIT comparisonShown();
            });
    connect(m_worker, &ModelsWorker::failed, this, [this](const QString &what, const QString &why) {
        m_comparing = false;
        m_compareProgress->setVisible(false);
        if (m_predictions->isRunning()) {
            m_predictions->finish();
            Q_EMIT predictionsShown();
        }
        m_status->setText(tr("%1 failed: %2").arg(what, why));
        updateButtons();
        Q_EMIT actionFailed(why);
    });
    m_thread.start();
}

void ModelsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void ModelsView::refresh()
{
    Q_EMIT requestRegistry();
}

QString ModelsView::lineageText() const
{
    return m_lineage->text();
}

bool ModelsView::isWorking() const
{
    return m_comparing || m_predictions->isRunning();
}

QString ModelsView::statusText() const
{
    return m_status->text();
}

bool ModelsView::waiverShown() const
{
    return !m_waiver->isHidden();
}

int ModelsView::historyRows() const
{
    return m_history->rowCount();
}

qint64 ModelsView::selectedModel() const
{
    const QModelIndex current = m_models->currentIndex();
    return current.isValid() ? m_modelTable->model(current.row()).id : 0;
}

void ModelsView::selectModel(qint64 modelId)
{
    const int row = m_modelTable->rowOf(modelId);
    if (row >= 0) {
        m_models->selectRow(row);
        m_models->setCurrentIndex(m_modelTable->index(row, 0));
    }
}

void ModelsView::handleRegistry(const RegistrySnapshot &snapshot)
{
    const qint64 selected = selectedModel();
    m_snapshot = snapshot;
    m_modelTable->setModels(snapshot.models, snapshot.aliases, snapshot.datasetTags);
    m_modelTable->setReleases(snapshot.releases);
    m_waiver->setVisible(snapshot.signOffWaived);
    m_curve->showModels(snapshot.models, snapshot.datasetImages);
    m_models->resizeColumnsToContents();
    if (selected > 0 && m_modelTable->rowOf(selected) >= 0) {
        selectModel(selected);
    } else if (m_modelTable->rowCount() > 0) {
        selectModel(m_modelTable->model(0).id);
    } else {
        m_lineage->setText(tr("No models yet: train one in the Training view, or import one "
                              "with `digitdesk models import`."));
    }
    showHistory();
    updateButtons();
    Q_EMIT registryShown();
}

void ModelsView::showHistory()
{
    const auto &moves = m_snapshot.history;
    m_history->setRowCount(static_cast<int>(moves.size()));
    // Newest first: the question is usually "what changed last".
    int row = 0;
    for (auto it = moves.rbegin(); it != moves.rend(); ++it, ++row) {
        m_history->setItem(
            row, 0,
            cell(it->movedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
        m_history->setItem(row, 1, cell(it->alias));
        m_history->setItem(row, 2,
                           cell(it->fromModelId > 0 ? QString::number(it->fromModelId) : tr("—")));
        m_history->setItem(row, 3, cell(QString::number(it->toModelId)));
        m_history->setItem(row, 4, cell(it->movedBy));
        m_history->setItem(row, 5, cell(it->reason));
    }
    m_history->resizeColumnsToContents();
}

void ModelsView::handleLineage(const ModelLineageSummary &lineage)
{
    if (lineage.modelId != selectedModel()) {
        return;
    }
    const int row = m_modelTable->rowOf(lineage.modelId);
    m_lineage->setText(modelLineageText(lineage, row >= 0 ? &m_modelTable->model(row) : nullptr,
                                        m_modelTable->aliasesOf(lineage.modelId)));
    Q_EMIT lineageShown();
}

void ModelsView::updateButtons()
{
    const bool mayMove = annotation::isAllowed(m_who.role, annotation::Action::MoveModelAlias);
    const qint64 selected = selectedModel();
    const auto production = m_snapshot.aliases.find(annotation::ProductionAlias);
    const bool isProduction =
        production != m_snapshot.aliases.end() && production->second == selected;
    m_promote->setEnabled(mayMove && selected > 0 && !isProduction);
    m_rollBack->setEnabled(mayMove && production != m_snapshot.aliases.end());
    m_compare->setEnabled(!m_comparing && selected > 0 && production != m_snapshot.aliases.end() &&
                          !isProduction);
    m_cancelCompare->setVisible(m_comparing);
    m_predictions->setAllowed(mayMove && production != m_snapshot.aliases.end(),
                              mayMove ? tr("No model is production yet")
                                      : tr("Re-predicting needs the ml_engineer or admin role"));
}

void ModelsView::promoteSelected()
{
    const qint64 modelId = selectedModel();
    if (modelId <= 0) {
        return;
    }
    bool ok = false;
    const QString reason = QInputDialog::getText(
        this, tr("Promote model %1").arg(modelId),
        tr("Why does model %1 become production? (kept in the alias history)").arg(modelId),
        QLineEdit::Normal, QString(), &ok);
    if (!ok) {
        return;
    }
    if (reason.trimmed().isEmpty()) {
        m_status->setText(tr("Not promoted: a promotion needs a reason."));
        return;
    }
    promote(modelId, reason.trimmed());
}

void ModelsView::promote(qint64 modelId, const QString &reason)
{
    m_worker->predictionCancel() = false;
    m_status->setText(tr("Promoting model %1…").arg(modelId));
    Q_EMIT requestPromote(modelId, reason);
}

void ModelsView::askRollBack()
{
    bool ok = false;
    const QString reason = QInputDialog::getText(
        this, tr("Roll back production"), tr("Why roll production back to the model it replaced?"),
        QLineEdit::Normal, QString(), &ok);
    if (!ok) {
        return;
    }
    if (reason.trimmed().isEmpty()) {
        m_status->setText(tr("Not rolled back: a roll-back needs a reason."));
        return;
    }
    rollBack(reason.trimmed());
}

void ModelsView::rollBack(const QString &reason)
{
    m_worker->predictionCancel() = false;
    m_status->setText(tr("Rolling back production…"));
    Q_EMIT requestRollBack(reason);
}

void ModelsView::compareSelected()
{
    const qint64 modelId = selectedModel();
    const auto production = m_snapshot.aliases.find(annotation::ProductionAlias);
    if (modelId <= 0 || production == m_snapshot.aliases.end()) {
        return;
    }
    const int row = m_modelTable->rowOf(modelId);
    QString tag = m_modelTable->datasetTagOf(m_modelTable->model(row));
    if (tag.isEmpty() || !m_snapshot.datasetTags.count(m_modelTable->model(row).datasetCommit)) {
        // A model not trained on a version is compared on the production model's version.
        const int productionRow = m_modelTable->rowOf(production->second);
        tag = productionRow >= 0 ? m_modelTable->datasetTagOf(m_modelTable->model(productionRow))
                                 : QString();
    }
    if (tag.isEmpty()) {
        m_status->setText(tr("Neither model was trained on a dataset version: there is no "
                             "held-out split to compare them on."));
        return;
    }
    compare(modelId, production->second, tag);
}

void ModelsView::compare(qint64 modelA, qint64 modelB, const QString &datasetTag)
{
    m_comparing = true;
    // Cleared here, not on the worker: a Cancel pressed before it starts still counts.
    m_worker->comparisonCancel() = false;
    m_compareProgress->setVisible(true);
    m_compareProgress->setRange(0, 0);
    m_status->setText(
        tr("Comparing model %1 with model %2 on %3…").arg(modelA).arg(modelB).arg(datasetTag));
    updateButtons();
    Q_EMIT requestCompare(modelA, modelB, datasetTag);
}

void ModelsView::repredictWaiting()
{
    if (m_predictions->isRunning()) {
        return;
    }
    // Cleared here, not on the worker: a Cancel pressed before it starts still counts.
    m_worker->predictionCancel() = false;
    m_predictions->start();
    m_status->setText(tr("Predicting the waiting images with the production model…"));
    Q_EMIT requestRepredict();
}

void ModelsView::cancelComparison()
{
    m_worker->comparisonCancel() = true;
}

} // namespace digitdesk::ui
