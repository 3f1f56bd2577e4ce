#pragma once

#include "annotation/principal.h"
#include "ui/modelsworker.h"

#include <QThread>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QProgressBar;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class ComparisonPane;
class ModelCurveChart;
class ModelPredictionBar;
class ModelTableModel;

// The model registry for ML engineers and admins: every model with its aliases, dataset version,
// held-out accuracy, who and when; the selected model's lineage (model <- run <- dataset
// version <- labels, with who labelled and reviewed them); the full history of the aliases.
// Promote (asks for a reason) and Roll back move `production` in one action each, checked in
// annotation/ against the user's role; a running endpoint follows the alias. Compare with
// production evaluates both models on the same images on a worker thread.
class ModelsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelsView)

public:
    ModelsView(const storage::Workspace &workspace, annotation::Principal who,
               QWidget *parent = nullptr);
    ~ModelsView() override;

    ModelTableModel *modelTable() const { return m_modelTable; }
    ComparisonPane *comparison() const { return m_comparison; }
    ModelCurveChart *curve() const { return m_curve; }
    QString lineageText() const;
    QString statusText() const;
    // The red line saying the release sign-off is waived.
    bool waiverShown() const;
    int historyRows() const;
    // A comparison or a prediction pass is running on its worker.
    bool isWorking() const;
    qint64 selectedModel() const;
    void selectModel(qint64 modelId);
    const RegistrySnapshot &snapshot() const { return m_snapshot; }

public Q_SLOTS:
    void refresh();
    // Asks for a reason, then moves production to the selected model.
    void promoteSelected();
    void promote(qint64 modelId, const QString &reason);
    void rollBack(const QString &reason);
    void askRollBack();
    // The worker whose signals report the comparison's and the predictions' progress.
    ModelsWorker *worker() const { return m_worker; }
    // The selected model beside production on its dataset version.
    void compareSelected();
    void compare(qint64 modelA, qint64 modelB, const QString &datasetTag);
    void cancelComparison();
    // The production model's predictions for the waiting images that have none from it yet.
    void repredictWaiting();

Q_SIGNALS:
    void registryShown();
    void lineageShown();
    void comparisonShown();
    void aliasMoved();
    // A re-predict ended: done, cancelled or failed (the status says which).
    void predictionsShown();
    void actionFailed(const QString &reason);

    void requestRegistry();
    void requestLineage(qint64 modelId);
    void requestPromote(qint64 modelId, const QString &reason);
    void requestRollBack(const QString &reason);
    void requestCompare(qint64 modelA, qint64 modelB, const QString &datasetTag);
    void requestRepredict();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void connectWorker();
    void handleRegistry(const RegistrySnapshot &snapshot);
    void handleLineage(const ModelLineageSummary &lineage);
    void showHistory();
    void updateButtons();

    QThread m_thread;
    ModelsWorker *m_worker;
    annotation::Principal m_who;
    RegistrySnapshot m_snapshot;
    ModelTableModel *m_modelTable;
    QTableView *m_models;
    QLabel *m_lineage;
    QTableWidget *m_history;
    QPushButton *m_promote;
    QPushButton *m_rollBack;
    QPushButton *m_compare;
    QPushButton *m_cancelCompare;
    QProgressBar *m_compareProgress;
    ModelPredictionBar *m_predictions;
    QLabel *m_status;
    QLabel *m_waiver;
    QTabWidget *m_tabs;
    ComparisonPane *m_comparison;
    ModelCurveChart *m_curve;
    bool m_comparing = false;
};

} // namespace digitdesk::ui
