#pragma once

#include "annotation/metricssnapshot.h"
#include "annotation/principal.h"
#include "annotation/servingcontrol.h"
#include "ui/servingprocess.h"
#include "ui/slotracker.h"

#include <QByteArray>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class ServingCharts;
class ServingFigures;

// Starts, stops and watches the serving endpoint (ml_engineer and admin; checked again in
// annotation::ServingControl), with its service level objectives: rate, latency quantiles
// against the 2 s objective, error rate, availability, the 30-day error budget for 99.99%
// and the burn-rate alerts (ServingFigures), charts of the last ten minutes (ServingCharts) and
// the tail of serve.log.
class ServingView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServingView)

public:
    static constexpr int DefaultPort = 8080;
    static constexpr int LogLines = 200;

    ServingView(const storage::Workspace &workspace, annotation::Principal who,
                QWidget *parent = nullptr);

    // The `digitdesk` binary that serves; the running executable unless set (tests set it).
    void setExecutable(const QString &path);
    ServingProcess *servingProcess() const { return m_process; }
    const SloTracker &tracker() const { return m_tracker; }

    // What Start and Stop do.
    void start();
    void stop();

private:
    void handleStateChanged();
    void handleScraped(const QDateTime &at, const annotation::MetricsSnapshot &snapshot);
    void updateHeader();
    void updateDashboard();
    void readLog();
    void showMessage(const QString &text, bool isError);
    bool confirmStop();

    annotation::ServingControl m_control;
    annotation::Principal m_who;
    QString m_root;
    ServingProcess *m_process;
    SloTracker m_tracker;
    annotation::MetricsSnapshot m_latest;
    QTimer m_logTimer;
    qint64 m_logOffset = 0;
    QByteArray m_logPartial; // a last line the server has not finished writing
    ServingProcess::State m_shown = ServingProcess::State::Stopped;

    QLabel *m_state;
    QLabel *m_model;
    QLabel *m_uptime;
    QLabel *m_pid;
    QLabel *m_address;
    QSpinBox *m_port;
    QPushButton *m_start;
    QPushButton *m_stop;
    QLabel *m_message;
    QStackedWidget *m_pages;
    QLabel *m_empty;
    QLabel *m_banner;
    ServingFigures *m_figures;
    ServingCharts *m_charts;
    QPlainTextEdit *m_log;
};

} // namespace digitdesk::ui
