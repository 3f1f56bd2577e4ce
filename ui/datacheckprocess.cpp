#include "ui/datacheckprocess.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace digitdesk::ui {

DataCheckProcess::DataCheckProcess(QString workspaceRoot, QObject *parent)
    : QObject(parent), m_root(std::move(workspaceRoot)),
      m_executable(QCoreApplication::applicationFilePath())
{
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (isRunning()) {
            m_process->kill();
        }
    });
}

DataCheckProcess::~DataCheckProcess()
{
    if (isRunning()) {
        // The check's row stays 'running'; nothing half-done is shown as a result.
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

void DataCheckProcess::setFoldsAndEpochs(int folds, int epochs)
{
    m_folds = folds;
    m_epochs = epochs;
}

bool DataCheckProcess::isRunning() const
{
    return m_process != nullptr && m_process->state() != QProcess::NotRunning;
}

bool DataCheckProcess::start(const QString &tag, QString *error)
{
    if (isRunning()) {
        *error = tr("the check of %1 is still going; cancel it or wait for it to end").arg(m_tag);
        return false;
    }
    if (m_process != nullptr) {
        m_process->deleteLater();
    }
    m_tag = tag;
    m_buffer.clear();
    m_errors.clear();
    m_cancelRequested = false;
    m_checkId = 0;
    QStringList arguments{QStringLiteral("dataset"), QStringLiteral("check"), tag,
                          QStringLiteral("--json-progress")};
    if (m_folds > 0) {
        arguments << QStringLiteral("--folds") << QString::number(m_folds);
    }
    if (m_epochs > 0) {
        arguments << QStringLiteral("--epochs") << QString::number(m_epochs);
    }
    arguments << QStringLiteral("--workspace") << m_root;
    m_process = new QProcess(this);
    m_process->setProgram(m_executable);
    m_process->setArguments(arguments);
    // Its stderr holds the one-line reason when it fails; stdout only JSON lines.
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            &DataCheckProcess::readStandardOutput);
    connect(m_process, &QProcess::readyReadStandardError, this,
            [this] { m_errors = (m_errors + m_process->readAllStandardError()).right(4096); });
    connect(m_process, &QProcess::finished, this, &DataCheckProcess::handleFinished);
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        *error = tr("could not start %1: %2").arg(m_executable, m_process->errorString());
        m_process->deleteLater();
        m_process = nullptr;
        return false;
    }
    return true;
}

void DataCheckProcess::cancel()
{
    if (!isRunning() || m_cancelRequested) {
        return;
    }
    m_cancelRequested = true;
    m_process->terminate();
    m_killTimer.start(CancelGraceMs);
}

void DataCheckProcess::readStandardOutput()
{
    m_buffer += m_process->readAllStandardOutput();
    for (qsizetype end = m_buffer.indexOf('\n'); end >= 0; end = m_buffer.indexOf('\n')) {
        const QByteArray line = m_buffer.left(end);
        m_buffer.remove(0, end + 1);
        handleLine(line);
    }
}

void DataCheckProcess::handleLine(const QByteArray &line)
{
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    const QString kind = event.value(QStringLiteral("event")).toString();
    if (kind == QStringLiteral("progress")) {
        const QString phase = event.value(QStringLiteral("phase")).toString();
        const QString text = phase == QStringLiteral("fold")
                                 ? tr("Training fold %1 of %2, epoch %3 of %4")
                                       .arg(event.value(QStringLiteral("fold")).toInt())
                                       .arg(event.value(QStringLiteral("folds")).toInt())
                                       .arg(event.value(QStringLiteral("epoch")).toInt())
                                       .arg(event.value(QStringLiteral("epochs")).toInt())
                                 : tr("Looking for near-duplicates and outliers");
        Q_EMIT progressed(event.value(QStringLiteral("done")).toDouble(), text);
    } else if (kind == QStringLiteral("finished")) {
        m_checkId = event.value(QStringLiteral("check")).toInteger();
    }
}

void DataCheckProcess::handleFinished(int exitCode, QProcess::ExitStatus status)
{
    m_killTimer.stop();
    readStandardOutput();
    if (!m_buffer.isEmpty()) {
        handleLine(m_buffer);
        m_buffer.clear();
    }
    m_errors += m_process->readAllStandardError();
    const QString reason = QString::fromUtf8(m_errors).trimmed();
    if (m_cancelRequested) {
        Q_EMIT ended(Outcome::Cancelled, 0, tr("The check of %1 was cancelled.").arg(m_tag));
    } else if (status == QProcess::NormalExit && m_checkId > 0) {
        // Exit 5 is a finished check over the thresholds.
        Q_EMIT ended(Outcome::Finished, m_checkId, {});
    } else {
        Q_EMIT ended(Outcome::Failed, 0,
                     reason.isEmpty()
                         ? tr("the check stopped (exit code %1) without a result").arg(exitCode)
                         : reason.section(QLatin1Char('\n'), -1));
    }
}

} // namespace digitdesk::ui
