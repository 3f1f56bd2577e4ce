#pragma once

#include "annotation/driftmonitor.h"
#include "annotation/principal.h"
#include "ui/shadowpane.h"

#include <QThread>
#include <QTimer>
#include <QWidget>

#include <memory>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace digitdesk::storage {
class Connection;
class Workspace;
} // namespace digitdesk::storage

namespace digitdesk::ui {

class MonitoringWorker;

// Drift of what the endpoint serves, for ML engineers and admins, over a chosen window: the
// production model's answers per class beside its training version's classes (PSI and a
// chi-square test), the confidence histogram, the low-confidence rate and the share of images
// it finds not digit-like over time; a red banner says which threshold is crossed. Refreshed on
// a worker thread every RefreshMs while shown. A second tab shows production beside the
// candidate on shadow and canary traffic (ShadowPane).
class MonitoringView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitoringView)

public:
    static constexpr int RefreshMs = 30000;

    MonitoringView(const storage::Workspace &workspace, annotation::Principal who,
                   QWidget *parent = nullptr);
    ~MonitoringView() override;

    const annotation::DriftReport &report() const { return m_report; }
    QString bannerText() const;
    bool bannerShown() const;
    QString figuresText() const;
    ShadowPane *shadowPane() const { return m_shadow; }
    // "15m", "1h", "6h", "24h", "7d".
    void setWindow(const QString &window);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void reportShown();
    void requestReport(const QDateTime &since);
    void requestShadow(const QDateTime &from, const QDateTime &to);
    void shadowShown();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *makeClassChart();
    QWidget *makeConfidenceChart();
    QWidget *makeTimeChart();
    void handleReport(const annotation::DriftReport &report);
    void handleFailure(const QString &reason);

    QThread m_thread;
    MonitoringWorker *m_worker;
    QTimer m_timer;
    annotation::DriftReport m_report;
    QComboBox *m_window;
    QLabel *m_banner;
    QLabel *m_figures;
    ShadowPane *m_shadow;
    QBarSet *m_servedSet = nullptr;
    QBarSet *m_trainingSet = nullptr;
    QValueAxis *m_classAxis = nullptr;
    QBarSet *m_confidenceSet = nullptr;
    QValueAxis *m_confidenceAxis = nullptr;
    QDateTimeAxis *m_timeAxis = nullptr;
    QValueAxis *m_rateAxis = nullptr;
    QLineSeries *m_lowConfidence = nullptr;
    QLineSeries *m_oodShare = nullptr;
    QLineSeries *m_oodThreshold = nullptr;
};

// DriftMonitor and ShadowMonitor on their own thread and connection.
class MonitoringWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitoringWorker)

public:
    MonitoringWorker(QString databasePath, annotation::Principal who);
    ~MonitoringWorker() override;

public Q_SLOTS:
    void load(const QDateTime &since);
    void loadShadow(const QDateTime &from, const QDateTime &to);
    // Sets the shadow and canary shares as the user, then reads the pane again.
    void setShares(double shadow, double canary, const QDateTime &from, const QDateTime &to);

Q_SIGNALS:
    void reportReady(const digitdesk::annotation::DriftReport &report);
    void failed(const QString &reason);
    void shadowReady(const digitdesk::ui::ShadowSnapshot &snapshot);
    void shadowFailed(const QString &reason);

private:
    QString m_databasePath;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::annotation::DriftReport)
