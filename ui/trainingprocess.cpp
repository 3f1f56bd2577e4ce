#include "ui/trainingprocess.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>

namespace digitdesk::ui {
namespace {

// A line longer than this is not one of the trainer's: it is cut before it is kept.
constexpr qsizetype MaxLineBytes = qsizetype{64} * 1024;

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

} // namespace

QStringList TrainingRequest::arguments(const QString &workspaceRoot) const
{
    return {QStringLiteral("train"),
            QStringLiteral("--run"),
            QString::number(runId),
            QStringLiteral("--dataset"),
            datasetTag,
            QStringLiteral("--epochs"),
            QString::number(epochs),
            QStringLiteral("--batch"),
            QString::number(batchSize),
            QStringLiteral("--lr"),
            number(learningRate),
            QStringLiteral("--augment"),
            augment ? QStringLiteral("on") : QStringLiteral("off"),
            QStringLiteral("--seed"),
            QString::number(seed),
            QStringLiteral("--threads"),
            QString::number(threads),
            QStringLiteral("--device"),
            device,
            QStringLiteral("--json-progress"),
            QStringLiteral("--workspace"),
            workspaceRoot};
}

TrainingProcess::TrainingProcess(QString workspaceRoot, QObject *parent)
    : QObject(parent), m_root(std::move(workspaceRoot)),
      m_executable(QCoreApplication::applicationFilePath())
{
    qRegisterMetaType<TrainingEvent>();
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (isRunning()) {
            keep(tr("The run did not stop within %1 ms of Cancel; killing it.").arg(CancelGraceMs));
            m_process->kill();
        }
    });
}

TrainingProcess::~TrainingProcess()
{
    if (isRunning()) {
        // Nothing is left to tell: the run row is settled by whoever owns this (or found
        // stale at the next start).
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool TrainingProcess::isRunning() const
{
    return m_process != nullptr && m_process->state() != QProcess::NotRunning;
}

qint64 TrainingProcess::pid() const
{
    return isRunning() ? m_process->processId() : 0;
}

bool TrainingProcess::start(const TrainingRequest &request, QString *error)
{
    if (isRunning()) {
        *error = tr("run %1 is still going; cancel it or wait for it to end").arg(runId());
        return false;
    }
    if (m_process != nullptr) {
        m_process->deleteLater();
    }
    m_request = request;
    m_stdoutBuffer.clear();
    m_stderrBuffer.clear();
    m_log.clear();
    m_cancelRequested = false;
    m_sawCancelled = false;
    m_modelId = 0;
    m_failure.clear();
    m_process = new QProcess(this);
    m_process->setProgram(m_executable);
    m_process->setArguments(request.arguments(m_root));
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            &TrainingProcess::readStandardOutput);
    connect(m_process, &QProcess::readyReadStandardError, this,
            &TrainingProcess::readStandardError);
    connect(m_process, &QProcess::finished, this, &TrainingProcess::handleFinished);
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        *error = tr("could not start %1: %2").arg(m_executable, m_process->errorString());
        m_process->deleteLater();
        m_process = nullptr;
        return false;
    }
    m_pid = m_process->processId();
    return true;
}

void TrainingProcess::cancel()
{
    if (!isRunning() || m_cancelRequested) {
        return;
    }
    m_cancelRequested = true;
    keep(tr("Cancel: asking the run to stop."));
    m_process->terminate();
    m_killTimer.start(CancelGraceMs);
}

void TrainingProcess::cancelAndWait()
{
    if (!isRunning()) {
        return;
    }
    cancel();
    if (!m_process->waitForFinished(CancelGraceMs)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

QStringList TrainingProcess::logTail(int lines) const
{
    QStringList tail;
    const auto first = m_log.size() > static_cast<size_t>(lines)
                           ? m_log.end() - static_cast<std::ptrdiff_t>(lines)
                           : m_log.begin();
    for (auto it = first; it != m_log.end(); ++it) {
        tail << *it;
    }
    return tail;
}

void TrainingProcess::readStandardOutput()
{
    m_stdoutBuffer += m_process->readAllStandardOutput();
    qsizetype end = 0;
    while ((end = m_stdoutBuffer.indexOf('\n')) >= 0) {
        handleLine(m_stdoutBuffer.left(end));
        m_stdoutBuffer.remove(0, end + 1);
    }
    if (m_stdoutBuffer.size() > MaxLineBytes) {
        handleLine(m_stdoutBuffer.left(MaxLineBytes));
        m_stdoutBuffer.clear();
    }
}

void TrainingProcess::readStandardError()
{
    m_stderrBuffer += m_process->readAllStandardError();
    qsizetype end = 0;
    while ((end = m_stderrBuffer.indexOf('\n')) >= 0 || m_stderrBuffer.size() > MaxLineBytes) {
        const qsizetype length = end >= 0 ? end : MaxLineBytes;
        keep(QString::fromUtf8(m_stderrBuffer.left(length)).trimmed());
        m_stderrBuffer.remove(0, end >= 0 ? end + 1 : length);
    }
}

void TrainingProcess::handleLine(const QByteArray &line)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        keep(QString::fromUtf8(line).trimmed());
        return;
    }
    TrainingEvent event{document.object().value(QStringLiteral("event")).toString(),
                        document.object()};
    if (event.kind == QStringLiteral("registered")) {
        m_modelId = event.fields.value(QStringLiteral("model_id")).toInteger();
        keep(tr("Registered model %1.").arg(m_modelId));
    } else if (event.kind == QStringLiteral("cancelled")) {
        m_sawCancelled = true;
    } else if (event.kind == QStringLiteral("failed")) {
        m_failure = event.fields.value(QStringLiteral("message")).toString();
        keep(tr("Failed: %1").arg(m_failure));
    } else if (event.kind == QStringLiteral("started")) {
        keep(tr("Run %1 started on %2: %3 training and %4 held-out images.")
                 .arg(event.fields.value(QStringLiteral("run")).toInteger())
                 .arg(event.fields.value(QStringLiteral("dataset")).toString())
                 .arg(event.fields.value(QStringLiteral("train")).toInteger())
                 .arg(event.fields.value(QStringLiteral("validation")).toInteger()));
    } else if (event.kind == QStringLiteral("progress") &&
               event.fields.value(QStringLiteral("epoch_end")).toBool()) {
        const double heldOut =
            event.fields.value(QStringLiteral("validation_accuracy")).toDouble(-1);
        keep(tr("Epoch %1/%2: loss %3, training accuracy %4%%5")
                 .arg(event.fields.value(QStringLiteral("epoch")).toInt())
                 .arg(event.fields.value(QStringLiteral("epochs")).toInt())
                 .arg(event.fields.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4)
                 .arg(event.fields.value(QStringLiteral("accuracy")).toDouble() * 100, 0, 'f', 2)
                 .arg(heldOut >= 0 ? tr(", held-out accuracy %1%").arg(heldOut * 100, 0, 'f', 2)
                                   : QString()));
    }
    Q_EMIT reported(event);
}

void TrainingProcess::handleFinished(int exitCode, QProcess::ExitStatus status)
{
    m_killTimer.stop();
    readStandardOutput();
    readStandardError();
    if (!m_stderrBuffer.isEmpty()) {
        keep(QString::fromUtf8(m_stderrBuffer).trimmed());
        m_stderrBuffer.clear();
    }
    if (status == QProcess::NormalExit && exitCode == 0 && m_modelId > 0) {
        Q_EMIT ended(Outcome::Registered, m_modelId, {});
    } else if (m_cancelRequested || m_sawCancelled) {
        Q_EMIT ended(Outcome::Cancelled, 0, tr("cancelled"));
    } else if (status == QProcess::CrashExit) {
        Q_EMIT ended(Outcome::Failed, 0,
                     tr("the training process %1 ended without finishing (%2)")
                         .arg(m_pid)
                         .arg(m_process->errorString()));
    } else {
        Q_EMIT ended(Outcome::Failed, 0,
                     m_failure.isEmpty()
                         ? tr("the training process exited with status %1").arg(exitCode)
                         : m_failure);
    }
}

void TrainingProcess::keep(const QString &line)
{
    if (line.isEmpty()) {
        return;
    }
    m_log.push_back(line);
    while (m_log.size() > static_cast<size_t>(KeptLogLines)) {
        m_log.pop_front();
    }
    Q_EMIT logLine(line);
}

} // namespace digitdesk::ui
