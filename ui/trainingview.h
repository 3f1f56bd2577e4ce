#pragma once

#include "annotation/principal.h"
#include "ui/trainingprocess.h"

#include <QThread>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSpinBox;
class QPushButton;
class QTableView;
class QTabWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class TrainingCurves;
class TrainingForm;
class TrainingRunTableModel;
class TrainingWorker;

// Retraining for ML engineers and admins: choose a dataset version (or commit the approved
// labels now), set the hyperparameters, Start (Ctrl+Return). The run is a `digitdesk train`
// child process: its progress, ETA, images per second, curves and log arrive live; Cancel
// (Escape, or the button) ends it within two seconds and nothing is registered. Every run lands
// in the history below, with who, the version, the settings, how it ended and the model it made.
class TrainingView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingView)

public:
    static constexpr int PolicyCheckMs = 60000;

    TrainingView(const storage::Workspace &workspace, annotation::Principal who,
                 QWidget *parent = nullptr);
    ~TrainingView() override;

    TrainingForm *form() const { return m_form; }
    TrainingCurves *curves() const { return m_curves; }
    TrainingRunTableModel *runModel() const { return m_runModel; }
    TrainingProcess *process() const { return m_process; }
    QProgressBar *progressBar() const { return m_progress; }
    QString statusText() const;
    QString logText() const;
    QString policyText() const;
    bool isRunning() const { return m_process->isRunning() || m_starting; }

public Q_SLOTS:
    void refresh();
    // Starts a run with the form's choices; the Start button and Ctrl+Return call it.
    void startRun();
    void cancelRun();
    // Asks whether the retraining policy wants a run, and starts one when it does.
    void checkPolicy();
    void setPolicy(int minNewLabels);
    // Chooses the version in the form (from the Datasets view's "Train on this version").
    void prepareRunOn(const QString &tag);

Q_SIGNALS:
    // A run registered a model (the Models view and the comparison take it from here).
    void modelTrained(qint64 runId, qint64 modelId);
    void runEnded(qint64 runId);
    void runsShown();
    void policyShown();
    void versionsShown();

    void requestVersions();
    void requestRuns();
    void requestBeginRun(const QString &tag, const QString &hyperparameters,
                         const QString &commitMessage, const QString &startedBecause);
    void requestPolicyCheck();
    void requestSetPolicy(int minNewLabels);
    void requestEndRun(qint64 runId, const QString &status, const QString &message,
                       const QString &logTail);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void connectWorker();
    void handleRunBegun(qint64 runId, const QString &tag);
    void handlePolicy(bool due, int threshold, const QString &reason);
    void begin(const QString &chosen, const QString &startedBecause);
    void handleEvent(const TrainingEvent &event);
    void handleEnded(TrainingProcess::Outcome outcome, qint64 modelId, const QString &message);
    void setStatus(const QString &text);
    void updateButtons();

    QString m_root;
    annotation::Principal m_who;
    QThread m_thread;
    TrainingWorker *m_worker;
    TrainingProcess *m_process;
    TrainingForm *m_form;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QLabel *m_status;
    QProgressBar *m_progress;
    QLabel *m_speed;
    TrainingCurves *m_curves;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_log;
    TrainingRunTableModel *m_runModel;
    QTableView *m_runs;
    QSpinBox *m_policyThreshold;
    QLabel *m_policyState;
    QTimer m_policyTimer;
    TrainingRequest m_pending;
    bool m_starting = false;
    bool m_policyRun = false; // the run being started is the retraining policy's
};

} // namespace digitdesk::ui
