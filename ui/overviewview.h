#pragma once

#include "annotation/principal.h"
#include "annotation/teamoverview.h"
#include "ui/overviewworker.h"

#include <QDate>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <map>

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class OverviewCharts;

// The manager's view of the team and the models over the last 30 days: tiles for the queue's
// depth, its oldest item, the review backlog, the releases waiting for sign-off and the
// serving SLO; charts of labels per day per annotator, gold accuracy and kappa per week, and
// held-out accuracy by dataset version. With the set-team-targets right, the daily target and
// the queue settings; Export CSV… and Export PDF… write a chosen month's figures. Read on a
// worker thread, refreshed every RefreshMs while shown.
class OverviewView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewView)

public:
    static constexpr int RefreshMs = 60000;

    OverviewView(const storage::Workspace &workspace, annotation::Principal who,
                 QWidget *parent = nullptr);
    ~OverviewView() override;

    const annotation::OverviewFigures &figures() const { return m_figures; }
    OverviewCharts *charts() const { return m_charts; }
    // The value shown on a tile: "queueDepth", "oldestItem", "reviewBacklog",
    // "releasesWaiting", "availability", "errorBudget".
    QString tileText(const QString &tile) const;
    QString statusText() const;
    // "15 labels by 2 annotator(s) from ... to ...; read 12:00:00."
    QString summaryText() const;
    bool targetsShown() const;
    // Writes the month's figures to `path` without asking: "csv" or "pdf".
    void exportMonth(const QDate &month, const QString &format, const QString &path);

public Q_SLOTS:
    void refresh();
    void applyTargets();
    // Ask where to write the chosen month's figures, then write them.
    void exportCsv();
    void exportPdf();

Q_SIGNALS:
    void figuresShown();
    void targetsSaved();
    void exported(const QString &path);
    void actionFailed(const QString &reason);

    void requestFigures();
    void requestSaveTargets(const digitdesk::annotation::TeamTargets &targets);
    void requestExport(int year, int month, const QString &format, const QString &path);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *makeTiles();
    QGroupBox *makeTargets();
    void askAndExport(const QString &format);
    void handleFigures(const annotation::OverviewFigures &figures);
    void handleTargets(const annotation::TeamTargets &targets);
    annotation::TeamTargets editedTargets() const;
    void setTile(const QString &tile, const QString &value, bool alarming = false);

    QThread m_thread;
    OverviewWorker *m_worker;
    QTimer m_timer;
    annotation::Principal m_who;
    QString m_workspaceName;
    annotation::OverviewFigures m_figures;
    QComboBox *m_month;
    QPushButton *m_exportCsv;
    QPushButton *m_exportPdf;
    QLabel *m_summary;
    QLabel *m_status;
    std::map<QString, QLabel *> m_tiles;
    OverviewCharts *m_charts;
    QGroupBox *m_targets = nullptr;
    QSpinBox *m_dailyTarget = nullptr;
    QSpinBox *m_leaseSeconds = nullptr;
    QDoubleSpinBox *m_highConfidence = nullptr;
    QDoubleSpinBox *m_goldShare = nullptr;
    QSpinBox *m_overlap = nullptr;
    QPushButton *m_applyTargets = nullptr;
    // The manager changed a value and has not applied it: a refresh leaves the boxes alone.
    bool m_targetsEdited = false;
};

} // namespace digitdesk::ui
