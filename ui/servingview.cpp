#include "ui/servingview.h"

#include "annotation/servingmetricnames.h"
#include "storage/workspace.h"
#include "ui/appearance.h"
#include "ui/inboxpane.h"
#include "ui/servingcharts.h"
#include "ui/servingfigures.h"
#include "ui/servingprocess.h"

#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

namespace metric = annotation::metric;

const QString Host = QStringLiteral("127.0.0.1");
const QString Dash = QStringLiteral("–");
const QString Red = QStringLiteral("#b00020");
// White text on it keeps 4.5:1 (the brighter #e65100 did not).
const QString Orange = QStringLiteral("#a84300");
const QString Green = QStringLiteral("#1b5e20");
constexpr qint64 LogTailBytes = qint64{64} * 1024;
constexpr qint64 LogReadLimit = qint64{1024} * 1024;

enum Page
{
    EmptyPage,
    DashboardPage
};

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

} // namespace

ServingView::ServingView(const storage::Workspace &workspace, annotation::Principal who,
                         QWidget *parent)
    : QWidget(parent), m_control(workspace.db()), m_who(std::move(who)), m_root(workspace.root()),
      m_process(new ServingProcess(workspace.root(), workspace.logsPath(), this)),
      m_state(new QLabel(this)), m_model(new QLabel(this)), m_uptime(new QLabel(this)),
      m_pid(new QLabel(this)), m_address(new QLabel(this)), m_port(new QSpinBox(this)),
      m_start(new QPushButton(tr("Start"), this)), m_stop(new QPushButton(tr("Stop"), this)),
      m_message(new QLabel(this)), m_pages(new QStackedWidget(this)), m_empty(new QLabel(this)),
      m_banner(new QLabel(this)), m_figures(new ServingFigures(this)),
      m_charts(new ServingCharts(this)), m_log(new QPlainTextEdit(this))
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
    m_banner->setObjectName(QStringLiteral("servingBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(
        QStringLiteral("color: white; background: %1; padding: 6px; font-weight: bold;").arg(Red));
    m_banner->hide();
    auto *dashboardLayout = new QVBoxLayout(dashboard);
    dashboardLayout->setContentsMargins(0, 0, 0, 0);
    dashboardLayout->addWidget(m_banner);
    dashboardLayout->addWidget(m_figures);
    dashboardLayout->addWidget(m_charts, 1);
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
    if (annotation::isAllowed(m_who.role, annotation::Action::ControlInbox)) {
        layout->addWidget(new InboxPane(workspace, m_who, this));
    }
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

void ServingView::showMessage(const QString &text, bool isError)
{
    m_message->setStyleSheet(isError ? toneStyle(Tone::Error, true) : QString());
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
    updateDashboard();
}

void ServingView::handleScraped(const QDateTime &at, const annotation::MetricsSnapshot &snapshot)
{
    m_latest = snapshot;
    m_tracker.add(at, snapshot);
    updateHeader();
    updateDashboard();
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
    QStringList others;
    for (const annotation::MetricsSnapshot::Sample &sample :
         m_latest.samples(metric::name(metric::ModelInfo))) {
        if (sample.value == 0) {
            continue;
        }
        const QString role = sample.labels.value(QStringLiteral("role"));
        const QString version = sample.labels.value(QStringLiteral("version"), Dash);
        if (role.isEmpty() || role == QStringLiteral("production")) {
            model = tr("model %1 on %2")
                        .arg(version, sample.labels.value(QStringLiteral("device"), Dash));
        } else {
            others << tr("%1 %2").arg(role, version);
        }
    }
    if (!others.isEmpty()) {
        model += QStringLiteral(" · ") + others.join(QStringLiteral(", "));
    }
    m_model->setText(model);
    m_uptime->setText(tr("up %1").arg(duration(m_latest.value(metric::name(metric::Uptime)))));
}

void ServingView::updateDashboard()
{
    m_figures->showFigures(m_tracker.figures(), m_latest);
    m_charts->showHistory(m_tracker.history());
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
