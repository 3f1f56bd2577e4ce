#pragma once

#include "annotation/metricssnapshot.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace digitdesk::ui {

// The serving endpoint as the GUI sees it: `digitdesk serve` started detached (so serving
// outlives the GUI), found again through <logs>/serving.json, which the server writes once it
// listens and removes when it exits cleanly, stopped with SIGTERM (the server drains first),
// and watched by polling GET /metrics and GET /v2/health/ready once a second.
class ServingProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServingProcess)

public:
    enum class State
    {
        Stopped,
        Starting, // launched or found, not answered yet
        Ready,
        NotReady, // answers, but /v2/health/ready says no (reason(): why)
        Down,     // the process lives but a poll failed (reason(): how)
        Stopping, // SIGTERM sent, waiting for the process to go
    };
    Q_ENUM(State)

    struct Endpoint
    {
        qint64 pid = 0;
        QString host;
        int port = 0;
        QDateTime started;
    };

    static constexpr int PollIntervalMs = 1000;
    static constexpr int PollTimeoutMs = 2000;
    static constexpr int StopGraceMs = 40000; // the endpoint drains for up to 30 s

    ServingProcess(QString workspaceRoot, QString logsPath, QObject *parent = nullptr);

    // The `digitdesk` binary to run; the running executable unless set (tests set it).
    void setExecutable(const QString &path) { m_executable = path; }
    QString executable() const { return m_executable; }

    State state() const { return m_state; }
    QString reason() const { return m_reason; }
    // The endpoint being watched; pid 0 when stopped.
    const Endpoint &endpoint() const { return m_endpoint; }
    QString logFile() const;
    QString stateFile() const;

    // Launches `digitdesk serve --workspace ROOT --host HOST --port PORT`, stdout and stderr
    // appended to logFile(). False with *error when it is running already or cannot start.
    bool start(const QString &host, int port, QString *error);
    // Sends SIGTERM; the state is Stopping until the process is gone.
    bool stop(QString *error);
    // Re-reads serving.json, checks the process and polls; the timer calls it. refreshed()
    // follows once it is done: at once, or when the poll it started (or found under way) ends.
    void refresh();

    static std::optional<Endpoint> readStateFile(const QString &path);
    // True while the process exists and is not a zombie.
    static bool isAlive(qint64 pid);
    // Alive, and running `digitdesk serve` (not some process that reused the pid).
    static bool isEndpointProcess(qint64 pid);

Q_SIGNALS:
    void stateChanged(digitdesk::ui::ServingProcess::State state);
    void scraped(const QDateTime &at, const digitdesk::annotation::MetricsSnapshot &snapshot);
    // A refresh() is done and state() says what it found: for tests to wait on.
    void refreshed();

private:
    struct Poll
    {
        int pending = 0;
        bool transportFailed = false;
        QString failure;
        int healthStatus = 0;
        QByteArray healthBody;
        std::optional<annotation::MetricsSnapshot> metrics;
    };

    void setState(State state, const QString &reason = {});
    void watch(const Endpoint &endpoint, State state, const QString &reason = {});
    // refresh() without the signal; true when it polls (finishPoll() then signals).
    bool refreshState();
    void poll();
    void handleReply(QNetworkReply *reply, int generation, bool isHealth);
    void finishPoll();
    void judgePoll();
    QString notReadyReason() const;

    QString m_root;
    QString m_logs;
    QString m_executable;
    QNetworkAccessManager *m_network;
    QTimer m_timer;
    State m_state = State::Stopped;
    QString m_reason;
    Endpoint m_endpoint;
    int m_generation = 0;       // replies to polls of an earlier endpoint or state are ignored
    qint64 m_terminatedPid = 0; // sent SIGTERM already: a second Stop sends SIGKILL
    QElapsedTimer m_stoppingSince;
    Poll m_poll;
};

} // namespace digitdesk::ui
