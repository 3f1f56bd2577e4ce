#include "ui/trainingworker.h"

#include "annotation/datacheckthresholds.h"
#include "annotation/datasetservice.h"
#include "annotation/retrainingpolicy.h"
#include "annotation/trainingruns.h"
#include "storage/connection.h"

#include <QLocale>

namespace digitdesk::ui {
namespace {

QString reasonOf(const std::exception &error)
{
    return QString::fromUtf8(error.what());
}

} // namespace

TrainingWorker::TrainingWorker(QString databasePath, QString workspaceRoot,
                               annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_root(std::move(workspaceRoot)),
      m_who(std::move(who))
{
    qRegisterMetaType<std::vector<storage::TrainingRunRecord>>();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::open()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_connection) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
        m_datasets = std::make_unique<annotation::DatasetService>(m_connection->db(), m_root);
        m_runs = std::make_unique<annotation::TrainingRuns>(m_connection->db(), m_root);
    }
}

void TrainingWorker::loadVersions()
{
    try {
        open();
        QStringList tags;
        QStringList descriptions;
        QStringList marked;
        QStringList summaries;
        const QLocale locale;
        for (const annotation::DatasetVersion &version : m_datasets->versions(m_who)) {
            tags << version.tag;
            const annotation::DataCheckStanding standing =
                annotation::dataCheckStanding(m_connection->db(), version.tag);
            descriptions << tr("%1 — %2 images, %3%4")
                                .arg(version.tag, locale.toString(version.imageCount),
                                     version.createdAt.toLocalTime().toString(
                                         QStringLiteral("yyyy-MM-dd HH:mm")),
                                     standing.overThreshold ? tr(" — over the data-check "
                                                                 "thresholds")
                                                            : QString());
            if (standing.overThreshold) {
                marked << version.tag;
                summaries << standing.summary;
            }
        }
        Q_EMIT checkWarnings(marked, summaries);
        Q_EMIT versionsReady(tags, descriptions);
    } catch (const std::exception &error) {
        Q_EMIT failed(reasonOf(error));
    }
}

void TrainingWorker::loadRuns()
{
    try {
        open();
        m_runs->markStaleRuns();
        Q_EMIT runsReady(m_runs->list(m_who));
    } catch (const std::exception &error) {
        Q_EMIT failed(reasonOf(error));
    }
}

void TrainingWorker::beginRun(const QString &tag, const QString &hyperparameters,
                              const QString &commitMessage, const QString &startedBecause)
{
    try {
        open();
        QString chosen = tag;
        if (chosen.isEmpty()) {
            chosen = m_runs->commitApproved(m_who, commitMessage).tag;
            loadVersions();
        }
        const qint64 runId = m_runs->beginRun(m_who, chosen, hyperparameters, startedBecause);
        Q_EMIT runBegun(runId, chosen);
    } catch (const std::exception &error) {
        Q_EMIT beginFailed(reasonOf(error));
    }
}

void TrainingWorker::checkPolicy()
{
    try {
        open();
        const annotation::RetrainingCheck check =
            annotation::RetrainingPolicy(m_connection->db()).due(m_who);
        Q_EMIT policyChecked(check.due, check.threshold, check.reason);
    } catch (const std::exception &error) {
        Q_EMIT policyChecked(false, 0, reasonOf(error));
    }
}

void TrainingWorker::setPolicy(int minNewLabels)
{
    try {
        open();
        annotation::RetrainingPolicy(m_connection->db()).setMinNewLabels(m_who, minNewLabels);
    } catch (const std::exception &error) {
        Q_EMIT failed(reasonOf(error));
    }
    checkPolicy();
}

void TrainingWorker::endRun(qint64 runId, const QString &status, const QString &message,
                            const QString &logTail)
{
    try {
        open();
        if (status == QStringLiteral("cancelled")) {
            m_runs->markCancelled(m_who, runId, message, logTail);
        } else {
            m_runs->markFailed(m_who, runId, message, logTail);
        }
        Q_EMIT runsReady(m_runs->list(m_who));
    } catch (const std::exception &error) {
        Q_EMIT failed(reasonOf(error));
    }
}

} // namespace digitdesk::ui
