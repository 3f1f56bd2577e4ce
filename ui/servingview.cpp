#include "ui/servingview.h"

#include "storage/workspace.h"
#include "ui/servingprocess.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QFile>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMessageBox>
#include <QPen>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

const QString Host = QStringLiteral("127.0.0.1");
const QString Dash = QStringLiteral("–");
const QString Red = QStringLiteral("#b00020");
const QString Orange = QStringLiteral("#e65100");
const QString Green = QStringLiteral("#1b5e20");
constexpr qint64 LogTailBytes = qint64{64} * 1024;
constexpr qint64 LogReadLimit = qint64{1024} * 1024;

enum Page
{
    EmptyPage,
    DashboardPage
};

QString seconds(double value)
{
    if (std::isnan(value)) {
        return Dash;
    }
    if (value < 1.0) {
        const double ms = value * 1000.0;
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', ms < 10 ? 1 : 0);
    }
    return QStringLiteral("%1 s").arg(value, 0, 'f', 2);
}

QString percent(double fraction, int decimals)
{
    return QStringLiteral("%1%").arg(fraction * 100.0, 0, 'f', decimals);
}

QString duration(double totalSeconds)
{
    if (!std::isfinite(totalSeconds) || totalSeconds < 0 || totalSeconds > 1e12) {
        return Dash;
    }
    const auto s = static_cast<qint64>(totalSeconds);
    if (s < 60) {
        return QObject::tr("%1 s").arg(s);
    }
    if (s < 3600) {
        return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    }
    if (s < 86400) {
        return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    }
    return QObject::tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

void colour(QLabel *label, const QString &color)
{
    label->setStyleSheet(
        color.isEmpty()
            ? QStringLiteral("font-size: 18pt; font-weight: bold;")
            : QStringLiteral("font-size: 18pt; font-weight: bold; color: %1;").arg(color));
}

// A big number with its caption above it, placed in a grid cell.
QLabel *addFigure(QWidget *parent, QGridLayout *grid, int row, int column, const QString &caption,
                  const QString &objectName, const QString &help)
{
    auto *box = new QFrame(parent);
    box->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(box);
    auto *title = new QLabel(caption, box);
    title->setObjectName(objectName + QStringLiteral("Caption"));
    title->setStyleSheet(QStringLiteral("color: #555;"));
    auto *value = new QLabel(Dash, box);
    value->setObjectName(objectName);
    colour(value, {});
    box->setToolTip(help);
    layout->addWidget(title);
    layout->addWidget(value);
    grid->addWidget(box, row, column);
    return value;
}

QString availabilityText(const SloWindow &window)
{
    const std::optional<double> availability = window.availability();
    return availability ? percent(*availability, 3) : QObject::tr("no traffic");
}

QString availabilityColour(const SloWindow &window)
{
    const std::optional<double> availability = window.availability();
    if (!availability) {
        return {};
    }
    return *availability < SloTracker::AvailabilityObjective ? Red : Green;
}

QString burnColour(double burn)
{
    if (burn > SloTracker::PageBurnRate) {
        return Red;
    }
    return burn > SloTracker::TicketBurnRate ? Orange : QString();
}

QLineSeries *addSeries(QChart *chart, const QString &name, QAbstractAxis *x, QAbstractAxis *y)
{
    auto *series = new QLineSeries(chart);
    series->setName(name);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    return series;
}

QDateTimeAxis *timeAxis(QChart *chart)
{
    auto *axis = new QDateTimeAxis(chart);
    axis->setFormat(QStringLiteral("HH:mm"));
    axis->setTickCount(6);
    chart->addAxis(axis, Qt::AlignBottom);
    return axis;
}

QValueAxis *valueAxis(QChart *chart, const QString &title, Qt::Alignment side)
{
    auto *axis = new QValueAxis(chart);
    axis->setTitleText(title);
    chart->addAxis(axis, side);
    return axis;
}

// From 0 to a round number at or above `highest` in 2 to 5 steps of 1, 2, 2.5 or 5 times a
// power of ten, labelled with the decimals the step needs: 0-1.2 reads 0.0 0.5 1.0 1.5, not
// "0 0 1 1 1" as a fixed format would.
void setRoundRange(QValueAxis *axis, double highest)
{
    if (!std::isfinite(highest) || highest <= 0) {
        highest = 1;
    }
    const double rough = highest / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = 10 * magnitude;
    for (const double mantissa : {1.0, 2.0, 2.5, 5.0}) {
        if (rough <= mantissa * magnitude * (1 + 1e-9)) {
            step = mantissa * magnitude;
            break;
        }
    }
    const int intervals = std::max(1, static_cast<int>(std::ceil(highest / step - 1e-9)));
    int decimals = 0;
    for (double scaled = step;
         decimals < 12 && std::abs(scaled - std::round(scaled)) > 1e-6 * scaled; scaled *= 10) {
        ++decimals;
    }
    axis->setRange(0, step * intervals);
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setTickCount(intervals + 1);
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

} // namespace

ServingView::ServingView(const storage::Workspace &workspace, annotation::Principal who,
                         QWidget *parent)
    : QWidget(parent), m_control(workspace.db()), m_who(std::move(who)), m_root(workspace.root()),
      m_process(new ServingProcess(workspace.root(), workspace.logsPath(), this)),
      m_state(new QLabel(this)), m_model(new QLabel(this)), m_uptime(new QLabel(this)),
      m_pid(new QLabel(this)), m_address(new QLabel(this)), m_port(new QSpinBox(this)),
      m_start(new QPushButton(tr("Start"), this)), m_stop(new QPushButton(tr("Stop"), this)),
      m_message(new QLabel(this)), m_pages(new QStackedWidget(this)), m_empty(new QLabel(this)),
      m_banner(new QLabel(this)), m_counters(new QLabel(this)), m_log(new QPlainTextEdit(this))
{
    m_state->setObjectName(QStringLiteral("servingState"));
    m_state->setMinimumWidth(160);
    m_state->setAlignment(Qt::AlignCenter);
    m_model->setObjectName(QStringLiteral("servingModel"));
    m_uptime->setObjectName(QStringLiteral("servingUptime"));
    m_pid->setObjectName(QStringLiteral("servingPid"));
    m_address->setObjectName(QStringLiteral("servingAddress"));
    m_address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_port->setObjectName(QStringLiteral("servingPort"));
    m_port->setRange(1, 65535);
    m_port->setValue(DefaultPort);
    m_start->setObjectName(QStringLiteral("servingStart"));
    m_stop->setObjectName(QStringLiteral("servingStop"));
    connect(m_start, &QPushButton::clicked, this, &ServingView::start);
    connect(m_stop, &QPushButton::clicked, this, &ServingView::stop);
    auto *header = new QHBoxLayout;
    header->addWidget(m_state);
    header->addWidget(m_model);
    header->addWidget(m_uptime);
    header->addWidget(m_pid);
    header->addWidget(m_address);
    header->addStretch(1);
    header->addWidget(new QLabel(tr("Port"), this));
    header->addWidget(m_port);
    header->addWidget(m_start);
    header->addWidget(m_stop);
    m_message->setObjectName(QStringLiteral("servingMessage"));
    m_message->setWordWrap(true);

    m_empty->setObjectName(QStringLiteral("servingEmpty"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setTextFormat(Qt::RichText);
    m_pages->addWidget(m_empty);

    auto *dashboard = new QWidget(this);
    auto *figures = new QGridLayout;
    m_rate = addFigure(dashboard, figures, 0, 0, tr("Request rate (10 s)"),
                       QStringLiteral("sloRate"), tr("Inference requests per second"));
    m_p50 = addFigure(dashboard, figures, 0, 1, tr("Latency p50 (60 s)"), QStringLiteral("sloP50"),
                      tr("Median request duration"));
    m_p95 = addFigure(dashboard, figures, 0, 2, tr("Latency p95 (60 s)"), QStringLiteral("sloP95"),
                      tr("95th percentile request duration"));
    m_p99 = addFigure(dashboard, figures, 0, 3, tr("Latency p99 (60 s)"), QStringLiteral("sloP99"),
                      tr("99th percentile request duration; objective: under 2 s"));
    m_errorRate = addFigure(dashboard, figures, 0, 4, tr("Error rate (last 60 s)"),
                            QStringLiteral("sloErrorRate"),
                            tr("Inference requests answered 5xx or slower than 2 s, of all "
                               "inference requests in the last 60 s; a request the client got "
                               "wrong (4xx) is not an error of the endpoint"));
    m_errorDetail = new QLabel(m_errorRate->parentWidget());
    m_errorDetail->setObjectName(QStringLiteral("sloErrorDetail"));
    m_errorDetail->setStyleSheet(QStringLiteral("color: #555;"));
    m_errorDetail->setWordWrap(true);
    m_errorRate->parentWidget()->layout()->addWidget(m_errorDetail);
    m_availability1h = addFigure(dashboard, figures, 1, 0, tr("Availability 1 h"),
                                 QStringLiteral("sloAvailability1h"), tr("Objective: 99.99%"));
    m_availability1d = addFigure(dashboard, figures, 1, 1, tr("Availability 1 day"),
                                 QStringLiteral("sloAvailability1d"), tr("Objective: 99.99%"));
    m_availability30d = addFigure(dashboard, figures, 1, 2, tr("Availability 30 days"),
                                  QStringLiteral("sloAvailability30d"), tr("Objective: 99.99%"));
    m_budget = addFigure(dashboard, figures, 1, 3, tr("Error budget left (30 days)"),
                         QStringLiteral("sloBudget"),
                         tr("99.99% over 30 days allows 1 bad request in 10,000"));
    m_burn5m =
        addFigure(dashboard, figures, 2, 0, tr("Burn rate 5 min"), QStringLiteral("sloBurn5m"),
                  tr("1× spends the budget in exactly 30 days"));
    m_burn30m =
        addFigure(dashboard, figures, 2, 1, tr("Burn rate 30 min"), QStringLiteral("sloBurn30m"),
                  tr("1× spends the budget in exactly 30 days"));
    m_burn1h = addFigure(dashboard, figures, 2, 2, tr("Burn rate 1 h"), QStringLiteral("sloBurn1h"),
                         tr("1× spends the budget in exactly 30 days"));
    m_burn6h = addFigure(dashboard, figures, 2, 3, tr("Burn rate 6 h"), QStringLiteral("sloBurn6h"),
                         tr("1× spends the budget in exactly 30 days"));
    m_page = new QLabel(dashboard);
    m_page->setObjectName(QStringLiteral("sloPage"));
    m_page->setToolTip(tr("Page when the 1 h and the 5 min burn rates are both above 14.4× "
                          "(2% of the 30-day budget in one hour)"));
    m_ticket = new QLabel(dashboard);
    m_ticket->setObjectName(QStringLiteral("sloTicket"));
    m_ticket->setToolTip(tr("Ticket when the 6 h and the 30 min burn rates are both above 6× "
                            "(5% of the 30-day budget in six hours)"));
    auto *alerts = new QVBoxLayout;
    alerts->addWidget(m_page);
    alerts->addWidget(m_ticket);
    figures->addLayout(alerts, 1, 4, 2, 1);

    m_banner->setObjectName(QStringLiteral("servingBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(
        QStringLiteral("color: white; background: %1; padding: 6px; font-weight: bold;").arg(Red));
    m_banner->hide();
    m_counters->setObjectName(QStringLiteral("servingCounters"));
    m_counters->setWordWrap(true);
    auto *charts = new QHBoxLayout;
    charts->addWidget(makeLatencyChart(), 3);
    charts->addWidget(makeErrorChart(), 2);
    auto *dashboardLayout = new QVBoxLayout(dashboard);
    dashboardLayout->setContentsMargins(0, 0, 0, 0);
    dashboardLayout->addWidget(m_banner);
    dashboardLayout->addLayout(figures);
    dashboardLayout->addWidget(m_counters);
    dashboardLayout->addLayout(charts, 1);
    m_pages->addWidget(dashboard);

    m_log->setObjectName(QStringLiteral("servingLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(LogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumHeight(180);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_message);
    layout->addWidget(m_pages, 1);
    layout->addWidget(new QLabel(tr("serve.log"), this));
    layout->addWidget(m_log);

    connect(m_process, &ServingProcess::stateChanged, this, &ServingView::handleStateChanged);
    connect(m_process, &ServingProcess::scraped, this, &ServingView::handleScraped);
    connect(&m_logTimer, &QTimer::timeout, this, &ServingView::readLog);
    m_logTimer.start(ServingProcess::PollIntervalMs);
    handleStateChanged();
    readLog();
}

void ServingView::setExecutable(const QString &path)
{
    m_process->setExecutable(path);
}

QChartView *ServingView::makeLatencyChart()
{
    auto *chart = new QChart;
    chart->setTitle(tr("Latency and request rate, last 10 minutes"));
    m_latencyTime = timeAxis(chart);
    m_latencyAxis = new QLogValueAxis(chart);
    m_latencyAxis->setTitleText(tr("ms (log)"));
    m_latencyAxis->setLabelFormat(QStringLiteral("%g"));
    m_latencyAxis->setBase(10);
    m_latencyAxis->setRange(0.1, 10000);
    chart->addAxis(m_latencyAxis, Qt::AlignLeft);
    m_rateAxis = valueAxis(chart, tr("requests/s"), Qt::AlignRight);
    m_p50Series = addSeries(chart, tr("p50"), m_latencyTime, m_latencyAxis);
    m_p95Series = addSeries(chart, tr("p95"), m_latencyTime, m_latencyAxis);
    m_p99Series = addSeries(chart, tr("p99"), m_latencyTime, m_latencyAxis);
    m_objectiveSeries = addSeries(chart, tr("2 s objective"), m_latencyTime, m_latencyAxis);
    QPen objective{QColor(Red)};
    objective.setStyle(Qt::DashLine);
    objective.setWidth(2);
    m_objectiveSeries->setPen(objective);
    m_rateSeries = addSeries(chart, tr("requests/s"), m_latencyTime, m_rateAxis);
    QPen rate(QColor(QStringLiteral("#607d8b")));
    rate.setWidth(1);
    m_rateSeries->setPen(rate);
    auto *view = new QChartView(chart, this);
    view->setObjectName(QStringLiteral("servingLatencyChart"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

QChartView *ServingView::makeErrorChart()
{
    auto *chart = new QChart;
    chart->setTitle(tr("Error rate (60 s window), last 10 minutes"));
    chart->legend()->hide();
    m_errorTime = timeAxis(chart);
    m_errorAxis = valueAxis(chart, tr("% of requests"), Qt::AlignLeft);
    m_errorSeries = addSeries(chart, tr("error rate"), m_errorTime, m_errorAxis);
    m_errorSeries->setPen(QPen(QColor(Red), 2));
    auto *view = new QChartView(chart, this);
    view->setObjectName(QStringLiteral("servingErrorChart"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

void ServingView::showMessage(const QString &text, bool isError)
{
    m_message->setStyleSheet(isError ? QStringLiteral("color: %1; font-weight: bold;").arg(Red)
                                     : QString());
    m_message->setText(text);
}

bool ServingView::confirmStop()
{
    QMessageBox box(QMessageBox::Question, tr("Stop serving"),
                    tr("Stop the serving endpoint? Requests in flight finish; new requests are "
                       "refused until it is started again."),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName(QStringLiteral("stopConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}

void ServingView::start()
{
    if (m_process->state() != ServingProcess::State::Stopped) {
        return;
    }
    const int port = m_port->value();
    try {
        m_control.authorizeStart(m_who, QStringLiteral("%1:%2").arg(Host).arg(port));
    } catch (const std::exception &error) {
        showMessage(QString::fromUtf8(error.what()), true);
        return;
    }
    QString error;
    if (!m_process->start(Host, port, &error)) {
        showMessage(error, true);
        return;
    }
    showMessage(tr("Starting the endpoint on %1:%2…").arg(Host).arg(port), false);
}

void ServingView::stop()
{
    const qint64 pid = m_process->endpoint().pid;
    if (pid <= 0 || !confirmStop() || m_process->endpoint().pid != pid) {
        return;
    }
    try {
        m_control.authorizeStop(m_who, QStringLiteral("pid %1").arg(pid));
    } catch (const std::exception &error) {
        showMessage(QString::fromUtf8(error.what()), true);
        return;
    }
    QString error;
    if (!m_process->stop(&error)) {
        showMessage(error, true);
        return;
    }
    showMessage(tr("Stopping: the endpoint finishes the requests in flight, then exits."), false);
}

void ServingView::handleStateChanged()
{
    using State = ServingProcess::State;
    const State state = m_process->state();
    const QString reason = m_process->reason();
    QString text;
    QString background;
    switch (state) {
    case State::Stopped:
        text = tr("stopped");
        background = QStringLiteral("#757575");
        break;
    case State::Starting:
        text = tr("starting…");
        background = Orange;
        m_tracker.clear();
        m_latest = {};
        break;
    case State::Ready:
        text = tr("ready");
        background = Green;
        break;
    case State::NotReady:
        text = reason.isEmpty() ? tr("not ready") : tr("not ready: %1").arg(reason);
        background = Orange;
        break;
    case State::Down:
        text = tr("down");
        background = Red;
        break;
    case State::Stopping:
        text = tr("stopping…");
        background = Orange;
        break;
    }
    m_state->setText(text);
    m_state->setStyleSheet(
        QStringLiteral("color: white; background: %1; padding: 4px 10px; font-weight: bold;")
            .arg(background));

    const bool stopped = state == State::Stopped;
    m_start->setEnabled(stopped);
    m_port->setEnabled(stopped);
    m_stop->setEnabled(!stopped && state != State::Stopping);
    if (stopped && !reason.isEmpty()) {
        showMessage(tr("The endpoint stopped: %1").arg(reason), true);
    } else if (stopped && m_shown == State::Stopping) {
        showMessage(tr("The endpoint stopped."), false);
    } else if (state == State::Ready || state == State::NotReady) {
        showMessage({}, false);
    }

    const bool dashboard = !stopped && state != State::Starting;
    m_pages->setCurrentIndex(dashboard ? DashboardPage : EmptyPage);
    if (state == State::Starting) {
        m_empty->setText(tr("<h3>Starting the endpoint…</h3><p>It loads the production model, "
                            "then listens. Its log below shows the progress.</p>"));
    } else if (stopped) {
        m_empty->setText(
            tr("<h3>The serving endpoint is not running.</h3>"
               "<p>Choose a port and press <b>Start</b> to serve the production model at "
               "http://%1:&lt;port&gt;/v2/models/digits/infer.</p>"
               "<p>It keeps serving when DigitDesk closes, and this view finds it again the next "
               "time. To run it without the GUI (or under systemd):<br><code>digitdesk serve "
               "--workspace %2 --port %3</code></p>")
                .arg(Host, m_root.toHtmlEscaped())
                .arg(m_port->value()));
    }
    if (state == State::Down) {
        const ServingProcess::Endpoint &endpoint = m_process->endpoint();
        m_banner->setText(tr("The endpoint (pid %1) does not answer at http://%2:%3: %4")
                              .arg(endpoint.pid)
                              .arg(endpoint.host)
                              .arg(endpoint.port)
                              .arg(reason));
        m_banner->show();
    } else {
        m_banner->hide();
    }
    m_shown = state;
    updateHeader();
    updateFigures();
    updateCharts();
}

void ServingView::handleScraped(const QDateTime &at, const MetricsSnapshot &snapshot)
{
    m_latest = snapshot;
    m_tracker.add(at, snapshot);
    updateHeader();
    updateFigures();
    updateCharts();
}

void ServingView::updateHeader()
{
    const ServingProcess::Endpoint &endpoint = m_process->endpoint();
    if (endpoint.pid <= 0) {
        m_model->setText(Dash);
        m_uptime->setText(Dash);
        m_pid->setText(Dash);
        m_address->setText(Dash);
        return;
    }
    m_pid->setText(tr("pid %1").arg(endpoint.pid));
    m_address->setText(QStringLiteral("http://%1:%2").arg(endpoint.host).arg(endpoint.port));
    if (m_latest.isEmpty()) {
        m_model->setText(Dash);
        m_uptime->setText(Dash);
        return;
    }
    QString model = tr("no model loaded");
    for (const MetricsSnapshot::Sample &sample :
         m_latest.samples(QStringLiteral("digitdesk_model_info"))) {
        if (sample.value != 0) {
            model = tr("model %1 on %2")
                        .arg(sample.labels.value(QStringLiteral("version"), Dash),
                             sample.labels.value(QStringLiteral("device"), Dash));
            break;
        }
    }
    m_model->setText(model);
    m_uptime->setText(
        tr("up %1").arg(duration(m_latest.value(QStringLiteral("digitdesk_uptime_seconds")))));
}

void ServingView::updateFigures()
{
    const SloFigures &figures = m_tracker.figures();
    if (!figures.hasData) {
        for (QLabel *label :
             {m_rate, m_p50, m_p95, m_p99, m_errorRate, m_availability1h, m_availability1d,
              m_availability30d, m_budget, m_burn5m, m_burn30m, m_burn1h, m_burn6h}) {
            label->setText(Dash);
            colour(label, {});
        }
        m_page->setText(tr("page: –"));
        m_ticket->setText(tr("ticket: –"));
        m_page->setStyleSheet({});
        m_ticket->setStyleSheet({});
        m_counters->clear();
        m_errorDetail->clear();
        return;
    }
    const SloPoint &now = figures.now;
    m_rate->setText(tr("%1 req/s").arg(now.rate, 0, 'f', now.rate < 10 ? 2 : 1));
    m_p50->setText(seconds(now.p50));
    m_p95->setText(seconds(now.p95));
    m_p99->setText(seconds(now.p99));
    colour(m_p99, std::isnan(now.p99) ? QString() : (figures.latencyObjectiveMet() ? Green : Red));
    const QString noRequests = tr("no requests in the last 60 s");
    for (QLabel *label : {m_p50, m_p95, m_p99}) {
        label->setToolTip(std::isnan(now.p50) ? noRequests : QString());
    }
    m_errorRate->setText(percent(now.errorRate, 2));
    m_errorDetail->setText(tr("%1 of %2 requests answered 5xx or slower than 2 s")
                               .arg(static_cast<qint64>(now.windowBad))
                               .arg(static_cast<qint64>(now.windowRequests)));
    colour(m_errorRate, now.errorRate > SloTracker::ErrorBudget ? Red : QString());

    m_availability1h->setText(availabilityText(figures.window1h));
    colour(m_availability1h, availabilityColour(figures.window1h));
    m_availability1d->setText(availabilityText(figures.window1d));
    colour(m_availability1d, availabilityColour(figures.window1d));
    m_availability30d->setText(availabilityText(figures.window30d));
    colour(m_availability30d, availabilityColour(figures.window30d));
    m_budget->setText(tr("%1 left").arg(percent(figures.budgetLeft, 1)));
    colour(m_budget, figures.budgetLeft < 0 ? Red : (figures.budgetLeft < 0.25 ? Orange : Green));
    const auto burn = [](QLabel *label, double value) {
        label->setText(QStringLiteral("%1×").arg(value, 0, 'f', value < 10 ? 2 : 1));
        colour(label, burnColour(value));
    };
    burn(m_burn5m, figures.burn5m);
    burn(m_burn30m, figures.burn30m);
    burn(m_burn1h, figures.burn1h);
    burn(m_burn6h, figures.burn6h);
    const QString firing =
        QStringLiteral("color: white; background: %1; padding: 6px; font-weight: bold;");
    const QString quiet = QStringLiteral("color: %1; padding: 6px;").arg(Green);
    m_page->setText(figures.page ? tr("PAGE: the budget burns over 14.4× (1 h and 5 min)")
                                 : tr("page: no fast burn"));
    m_page->setStyleSheet(figures.page ? firing.arg(Red) : quiet);
    m_ticket->setText(figures.ticket ? tr("TICKET: the budget burns over 6× (6 h and 30 min)")
                                     : tr("ticket: no slow burn"));
    m_ticket->setStyleSheet(figures.ticket ? firing.arg(Orange) : quiet);

    const auto count = [this](const QString &name, const MetricsSnapshot::Labels &labels = {}) {
        const double value = m_latest.value(name, labels);
        return std::isfinite(value) && std::abs(value) < 1e15
                   ? QString::number(static_cast<qint64>(value))
                   : Dash;
    };
    const QString failure = QStringLiteral("nv_inference_request_failure");
    const QString reason = QStringLiteral("reason");
    const double executions = m_latest.value(QStringLiteral("nv_inference_exec_count"));
    const double inferences = m_latest.value(QStringLiteral("nv_inference_count"));
    // "Failed" includes requests the client got wrong; the error rate counts server errors and
    // slow answers only, so each says what it counts.
    const QStringList parts{
        tr("%1 inference requests")
            .arg(count(QStringLiteral("digitdesk_request_duration_seconds_count"))),
        tr("%1 succeeded").arg(count(QStringLiteral("nv_inference_request_success"))),
        tr("%1 failed (%2 rejected with the queue full, %3 model errors, %4 other: bad input, "
           "refused or no model)")
            .arg(count(failure), count(failure, {{reason, QStringLiteral("REJECTED")}}),
                 count(failure, {{reason, QStringLiteral("BACKEND")}}),
                 count(failure, {{reason, QStringLiteral("OTHER")}})),
        tr("%1 answered 5xx or slower than 2 s (what the error rate counts)")
            .arg(count(QStringLiteral("digitdesk_slo_bad_total"))),
        tr("%1 pending").arg(count(QStringLiteral("nv_inference_pending_request_count"))),
        tr("%1 images in %2 batches (mean %3)")
            .arg(QString::number(static_cast<qint64>(inferences)),
                 QString::number(static_cast<qint64>(executions)),
                 executions > 0 ? QString::number(inferences / executions, 'f', 1) : Dash),
        tr("%1 captured for annotation")
            .arg(count(QStringLiteral("digitdesk_capture_stored_total"))),
        tr("%1 model load failures")
            .arg(count(QStringLiteral("digitdesk_model_load_failures_total")))};
    m_counters->setText(tr("Since start: %1").arg(parts.join(QStringLiteral(" · "))));
}

void ServingView::updateCharts()
{
    const std::deque<SloPoint> &history = m_tracker.history();
    QList<QPointF> p50, p95, p99, rate, errors;
    double highest = SloTracker::LatencyObjectiveSeconds * 1000 * 5;
    double highestRate = 1;
    double highestError = 0.01;
    for (const SloPoint &point : history) {
        const auto x = static_cast<qreal>(point.at.toMSecsSinceEpoch());
        if (!std::isnan(point.p99)) {
            p50.append({x, point.p50 * 1000});
            p95.append({x, point.p95 * 1000});
            p99.append({x, point.p99 * 1000});
            highest = std::max(highest, point.p99 * 1000 * 2);
        }
        rate.append({x, point.rate});
        highestRate = std::max(highestRate, point.rate * 1.2);
        errors.append({x, point.errorRate * 100.0});
        highestError = std::max(highestError, point.errorRate * 120.0);
    }
    m_p50Series->replace(p50);
    m_p95Series->replace(p95);
    m_p99Series->replace(p99);
    m_rateSeries->replace(rate);
    m_errorSeries->replace(errors);
    const QDateTime end = history.empty() ? QDateTime::currentDateTime() : history.back().at;
    const QDateTime begin = end.addSecs(-SloTracker::HistorySeconds);
    m_objectiveSeries->replace({{static_cast<qreal>(begin.toMSecsSinceEpoch()),
                                 SloTracker::LatencyObjectiveSeconds * 1000},
                                {static_cast<qreal>(end.toMSecsSinceEpoch()),
                                 SloTracker::LatencyObjectiveSeconds * 1000}});
    for (QDateTimeAxis *axis : {m_latencyTime, m_errorTime}) {
        axis->setRange(begin, end);
    }
    m_latencyAxis->setMax(highest);
    setRoundRange(m_rateAxis, highestRate);
    setRoundRange(m_errorAxis, highestError);
}

void ServingView::readLog()
{
    QFile file(m_process->logFile());
    if (!file.open(QIODevice::ReadOnly)) {
        return;
    }
    const qint64 size = file.size();
    if (size < m_logOffset) {
        // Truncated or replaced: start again from its tail.
        m_logOffset = 0;
        m_logPartial.clear();
        m_log->clear();
    }
    bool skipFirstLine = false;
    if (m_logOffset == 0 && size > LogTailBytes) {
        m_logOffset = size - LogTailBytes;
        skipFirstLine = true;
    }
    if (size == m_logOffset || !file.seek(m_logOffset)) {
        return;
    }
    QByteArray chunk = m_logPartial + file.read(std::min(size - m_logOffset, LogReadLimit));
    m_logOffset = file.pos();
    if (skipFirstLine) {
        chunk.remove(0, chunk.indexOf('\n') + 1);
    }
    const qsizetype end = chunk.lastIndexOf('\n');
    m_logPartial = chunk.mid(end + 1).right(LogTailBytes); // a line without end stays bounded
    if (end < 0) {
        return;
    }
    QList<QByteArray> lines = chunk.left(end).split('\n');
    if (lines.size() > LogLines) {
        lines.erase(lines.begin(), lines.end() - LogLines);
    }
    for (const QByteArray &line : lines) {
        m_log->appendPlainText(QString::fromUtf8(line));
    }
}

} // namespace digitdesk::ui
