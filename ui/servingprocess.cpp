#include "ui/servingprocess.h"

#include "annotation/servingmetricnames.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QUrl>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/types.h>

namespace digitdesk::ui {
namespace {

// Long enough for the reason in a KServe-style error body, short enough for the header row.
constexpr qsizetype MaxReasonLength = 120;
constexpr int FastCheckMs = 250;

} // namespace

ServingProcess::ServingProcess(QString workspaceRoot, QString logsPath, QObject *parent)
    : QObject(parent), m_root(std::move(workspaceRoot)), m_logs(std::move(logsPath)),
      m_executable(QCoreApplication::applicationFilePath()),
      m_network(new QNetworkAccessManager(this))
{
    // The endpoint is on this machine: an http_proxy in the environment must not route to it.
    m_network->setProxy(QNetworkProxy::NoProxy);
    connect(&m_timer, &QTimer::timeout, this, &ServingProcess::refresh);
    m_timer.start(PollIntervalMs);
    refresh();
}

QString ServingProcess::logFile() const
{
    return m_logs + QStringLiteral("/serve.log");
}

QString ServingProcess::stateFile() const
{
    return m_logs + QStringLiteral("/serving.json");
}

bool ServingProcess::isAlive(qint64 pid)
{
    if (pid <= 0) {
        return false;
    }
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) {
        return false;
    }
    // A detached process that exited stays a zombie until its reaper collects it, and a
    // zombie still answers kill(pid, 0).
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const qsizetype end = line.lastIndexOf(')');
        if (end >= 0 && end + 2 < line.size() && line.at(end + 2) == 'Z') {
            return false;
        }
    }
    return true;
}

bool ServingProcess::isEndpointProcess(qint64 pid)
{
    if (!isAlive(pid)) {
        return false;
    }
    // A pid from a file left behind by a killed endpoint may belong to anything by now.
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QList<QByteArray> arguments = file.readAll().split('\0');
    return arguments.size() > 1 && arguments.at(0).contains("digitdesk") &&
           arguments.at(1) == "serve";
}

std::optional<ServingProcess::Endpoint> ServingProcess::readStateFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return std::nullopt;
    }
    const QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
    Endpoint endpoint;
    endpoint.pid = object.value(QStringLiteral("pid")).toInteger();
    endpoint.host = object.value(QStringLiteral("host")).toString();
    endpoint.port = object.value(QStringLiteral("port")).toInt();
    endpoint.started =
        QDateTime::fromString(object.value(QStringLiteral("started")).toString(), Qt::ISODate);
    if (endpoint.pid <= 0 || endpoint.host.isEmpty() || endpoint.port <= 0) {
        return std::nullopt;
    }
    return endpoint;
}

bool ServingProcess::start(const QString &host, int port, QString *error)
{
    if (m_state != State::Stopped) {
        *error = tr("The endpoint is running already (pid %1).").arg(m_endpoint.pid);
        return false;
    }
    if (!QDir().mkpath(m_logs)) {
        *error = tr("Cannot create the log folder %1.").arg(m_logs);
        return false;
    }
    const QStringList arguments{QStringLiteral("serve"),
                                QStringLiteral("--workspace"),
                                m_root,
                                QStringLiteral("--host"),
                                host,
                                QStringLiteral("--port"),
                                QString::number(port)};
    QFile log(logFile());
    if (log.open(QIODevice::Append | QIODevice::Text)) {
        log.write(QStringLiteral("=== %1 starting: %2 %3\n")
                      .arg(QDateTime::currentDateTime().toString(Qt::ISODate), m_executable,
                           arguments.join(QLatin1Char(' ')))
                      .toUtf8());
        log.close();
    }
    QProcess process;
    process.setProgram(m_executable);
    process.setArguments(arguments);
    process.setWorkingDirectory(m_root);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(logFile(), QIODevice::Append);
    process.setStandardErrorFile(logFile(), QIODevice::Append);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        *error = tr("Cannot run %1: %2").arg(m_executable, process.errorString());
        return false;
    }
    m_terminatedPid = 0;
    watch({pid, host, port, QDateTime::currentDateTime()}, State::Starting);
    return true;
}

bool ServingProcess::stop(QString *error)
{
    if (m_endpoint.pid <= 0 || m_state == State::Stopped || m_state == State::Stopping) {
        *error = tr("The endpoint is not running.");
        return false;
    }
    if (!isEndpointProcess(m_endpoint.pid)) {
        *error =
            tr("Process %1 is no longer the endpoint; nothing was stopped.").arg(m_endpoint.pid);
        watch({}, State::Stopped);
        return false;
    }
    // A second Stop after a drain that did not end forces the endpoint down.
    const int signal = m_terminatedPid == m_endpoint.pid ? SIGKILL : SIGTERM;
    if (::kill(static_cast<pid_t>(m_endpoint.pid), signal) != 0) {
        *error = tr("Cannot stop the endpoint (pid %1): %2")
                     .arg(m_endpoint.pid)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_terminatedPid = m_endpoint.pid;
    m_stoppingSince.start();
    watch(m_endpoint, State::Stopping);
    return true;
}

void ServingProcess::watch(const Endpoint &endpoint, State state, const QString &reason)
{
    m_endpoint = endpoint;
    ++m_generation;
    m_poll = {};
    setState(state, reason);
}

void ServingProcess::setState(State state, const QString &reason)
{
    const int interval =
        state == State::Starting || state == State::Stopping ? FastCheckMs : PollIntervalMs;
    if (m_timer.interval() != interval) {
        m_timer.setInterval(interval); // restarts the timer: only on a change of pace
    }
    if (state == m_state && reason == m_reason) {
        return;
    }
    m_state = state;
    m_reason = reason;
    Q_EMIT stateChanged(state);
}

void ServingProcess::refresh()
{
    if (!refreshState()) {
        Q_EMIT refreshed();
    }
}

bool ServingProcess::refreshState()
{
    const std::optional<Endpoint> file = readStateFile(stateFile());
    switch (m_state) {
    case State::Stopped:
        if (file && isEndpointProcess(file->pid)) {
            watch(*file, State::Starting);
            poll();
            return true;
        }
        return false;
    case State::Starting:
        if (!isAlive(m_endpoint.pid)) {
            watch({}, State::Stopped, tr("the endpoint exited while starting (see its log)"));
        } else if (file && file->pid == m_endpoint.pid) {
            m_endpoint = *file;
            poll();
            return true;
        }
        return false;
    case State::Ready:
    case State::NotReady:
    case State::Down:
        if (!isAlive(m_endpoint.pid)) {
            const qint64 pid = m_endpoint.pid;
            watch({}, State::Stopped,
                  file ? tr("the endpoint (pid %1) exited without shutting down cleanly").arg(pid)
                       : tr("the endpoint (pid %1) exited").arg(pid));
        } else if (file && file->pid != m_endpoint.pid && isEndpointProcess(file->pid)) {
            watch(*file, State::Starting);
            poll();
            return true;
        } else {
            poll();
            return true;
        }
        return false;
    case State::Stopping:
        if (!isAlive(m_endpoint.pid)) {
            m_terminatedPid = 0;
            watch({}, State::Stopped);
        } else if (m_stoppingSince.elapsed() > StopGraceMs) {
            watch(m_endpoint, State::Down,
                  tr("the endpoint did not exit within %1 s; Stop again to kill it")
                      .arg(StopGraceMs / 1000));
        }
        return false;
    }
    return false;
}

void ServingProcess::poll()
{
    if (m_poll.pending > 0) {
        return;
    }
    m_poll = {};
    m_poll.pending = 2;
    QUrl base;
    base.setScheme(QStringLiteral("http"));
    base.setHost(m_endpoint.host);
    base.setPort(m_endpoint.port);
    const int generation = m_generation;
    for (const bool isHealth : {false, true}) {
        QUrl url = base;
        url.setPath(isHealth ? QStringLiteral("/v2/health/ready") : QStringLiteral("/metrics"));
        QNetworkRequest request(url);
        request.setTransferTimeout(PollTimeoutMs);
        QNetworkReply *reply = m_network->get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, generation, isHealth] {
            reply->deleteLater();
            handleReply(reply, generation, isHealth);
        });
    }
}

void ServingProcess::handleReply(QNetworkReply *reply, int generation, bool isHealth)
{
    if (generation != m_generation) {
        return;
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    // Errors below 200 are the connection's (refused, reset, timed out), even after a status
    // line arrived: the body is then incomplete.
    const bool transportError = reply->error() != QNetworkReply::NoError && reply->error() < 200;
    if (!status.isValid() || transportError) {
        m_poll.transportFailed = true;
        m_poll.failure = reply->errorString();
    } else if (isHealth) {
        m_poll.healthStatus = status.toInt();
        m_poll.healthBody = reply->read(4096);
    } else if (status.toInt() == 200) {
        m_poll.metrics = annotation::MetricsSnapshot::parse(reply->readAll());
    }
    if (--m_poll.pending == 0) {
        finishPoll();
    }
}

QString ServingProcess::notReadyReason() const
{
    // The short form for the state label; the server's own words are in its log.
    if (m_poll.metrics &&
        !m_poll.metrics->contains(annotation::metric::name(annotation::metric::ModelInfo))) {
        return tr("no model");
    }
    const QJsonObject body = QJsonDocument::fromJson(m_poll.healthBody).object();
    for (const char *key : {"reason", "error", "message"}) {
        const QString text = body.value(QLatin1String(key)).toString();
        if (!text.isEmpty()) {
            return text.left(MaxReasonLength);
        }
    }
    return tr("HTTP %1").arg(m_poll.healthStatus);
}

void ServingProcess::finishPoll()
{
    judgePoll();
    Q_EMIT refreshed();
}

void ServingProcess::judgePoll()
{
    if (m_state == State::Stopped || m_state == State::Stopping) {
        return;
    }
    if (m_poll.transportFailed) {
        setState(State::Down, m_poll.failure);
        return;
    }
    if (m_poll.metrics) {
        Q_EMIT scraped(QDateTime::currentDateTime(), *m_poll.metrics);
    }
    if (m_poll.healthStatus == 200) {
        setState(State::Ready);
    } else {
        setState(State::NotReady, notReadyReason());
    }
}

} // namespace digitdesk::ui
