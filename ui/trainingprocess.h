#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <deque>

namespace digitdesk::ui {

// What the view asks a run to do: the dataset version and the hyperparameters, passed to
// `digitdesk train` as options.
struct TrainingRequest
{
    qint64 runId = 0; // the run row the GUI made for it (who, when, why)
    QString datasetTag;
    int epochs = 15;
    int batchSize = 128;
    double learningRate = 4e-3;
    bool augment = true;
    quint64 seed = 1;
    int threads = 0; // 0: the core count
    QString device = QStringLiteral("auto");

    QStringList arguments(const QString &workspaceRoot) const;
};

// One line of `digitdesk train --json-progress`.
struct TrainingEvent
{
    QString kind; // "started", "progress", "registered", "cancelled", "failed"
    QJsonObject fields;
};

// A training run as a child process: `digitdesk train --run ID ... --json-progress`, its JSON
// lines turned into signals, the rest of its output kept as the log. Cancel sends SIGTERM
// (the trainer stops at its next step) and SIGKILL after CancelGraceMs if it has not gone, so
// a run never outlives its Cancel by more than that. A crash or a kill of the child is a
// failure with the last lines it printed.
class TrainingProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingProcess)

public:
    enum class Outcome
    {
        Registered,
        Cancelled,
        Failed
    };
    Q_ENUM(Outcome)

    static constexpr int CancelGraceMs = 1500;
    static constexpr int KeptLogLines = 400;

    explicit TrainingProcess(QString workspaceRoot, QObject *parent = nullptr);
    ~TrainingProcess() override;

    // The `digitdesk` binary; the running executable unless set (tests set it).
    void setExecutable(const QString &path) { m_executable = path; }

    bool isRunning() const;
    qint64 runId() const { return m_request.runId; }
    qint64 pid() const;
    // False with *error when a run is going already or the binary cannot start.
    bool start(const TrainingRequest &request, QString *error);
    void cancel();
    // The last lines of output, oldest first.
    QStringList logTail(int lines) const;
    // Cancels and waits, at most CancelGraceMs plus a kill, for the process to end.
    void cancelAndWait();

Q_SIGNALS:
    void reported(const digitdesk::ui::TrainingEvent &event);
    void logLine(const QString &line);
    // Exactly once per start(): how it ended, the model id when registered, else why.
    void ended(digitdesk::ui::TrainingProcess::Outcome outcome, qint64 modelId,
               const QString &message);

private:
    void readStandardOutput();
    void readStandardError();
    void handleLine(const QByteArray &line);
    void handleFinished(int exitCode, QProcess::ExitStatus status);
    void keep(const QString &line);

    QString m_root;
    QString m_executable;
    QProcess *m_process = nullptr;
    TrainingRequest m_request;
    QByteArray m_stdoutBuffer;
    QByteArray m_stderrBuffer;
    std::deque<QString> m_log;
    QTimer m_killTimer;
    bool m_cancelRequested = false;
    qint64 m_modelId = 0;
    qint64 m_pid = 0;
    QString m_failure;
    bool m_sawCancelled = false;
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::ui::TrainingEvent)
