#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

namespace digitdesk::ui {

// `digitdesk dataset check vN --json-progress` as a child process, as TrainingProcess runs
// `digitdesk train`: its progress lines turned into signals, Cancel a SIGTERM (the check stops
// at its next training step) and a SIGKILL after CancelGraceMs. A check that crashes or is
// killed cannot take the GUI down; it ends as a failure with its last message.
class DataCheckProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataCheckProcess)

public:
    enum class Outcome
    {
        Finished,
        Cancelled,
        Failed
    };
    Q_ENUM(Outcome)

    static constexpr int CancelGraceMs = 1500;

    explicit DataCheckProcess(QString workspaceRoot, QObject *parent = nullptr);
    ~DataCheckProcess() override;

    // The `digitdesk` binary; the running executable unless set (tests set it).
    void setExecutable(const QString &path) { m_executable = path; }
    // Folds and epochs passed on; 0 leaves the command's default.
    void setFoldsAndEpochs(int folds, int epochs);
    bool isRunning() const;
    QString tag() const { return m_tag; }
    // False with *error when a check is going already or the binary cannot start.
    bool start(const QString &tag, QString *error);
    void cancel();

Q_SIGNALS:
    // `done` of the whole check, 0..1; `text` says where it is ("fold 2 of 5, epoch 1 of 3").
    void progressed(double done, const QString &text);
    // Exactly once per start(): how it ended, the check's id when it finished, else why.
    void ended(digitdesk::ui::DataCheckProcess::Outcome outcome, qint64 checkId,
               const QString &message);

private:
    void readStandardOutput();
    void handleLine(const QByteArray &line);
    void handleFinished(int exitCode, QProcess::ExitStatus status);

    QString m_root;
    QString m_executable;
    QString m_tag;
    int m_folds = 0;
    int m_epochs = 0;
    QProcess *m_process = nullptr;
    QByteArray m_buffer;
    QByteArray m_errors;
    QTimer m_killTimer;
    bool m_cancelRequested = false;
    qint64 m_checkId = 0;
};

} // namespace digitdesk::ui
