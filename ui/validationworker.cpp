#include "ui/validationworker.h"

#include "storage/connection.h"

namespace digitdesk::ui {

ValidationWorker::ValidationWorker(QString databasePath, QString workspaceRoot,
                                   annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_root(std::move(workspaceRoot)),
      m_who(std::move(who))
{
    qRegisterMetaType<std::vector<annotation::ReleaseCandidate>>();
    qRegisterMetaType<annotation::ReleaseEvidence>();
    qRegisterMetaType<annotation::ReleaseDecision>();
}

ValidationWorker::~ValidationWorker() = default;

void ValidationWorker::open()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_connection) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
    }
}

void ValidationWorker::want(qint64 modelId)
{
    m_wanted = modelId;
    m_cancelled = 0;
    m_cancel = true;
}

void ValidationWorker::cancelEvidence()
{
    m_cancelled = m_wanted.load();
    m_cancel = true;
}

void ValidationWorker::loadCandidates()
{
    try {
        open();
        Q_EMIT candidatesReady(
            annotation::ReleaseValidation(m_connection->db(), m_root).candidates(m_who));
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Reading the releases"), QString::fromUtf8(error.what()));
    }
}

void ValidationWorker::loadEvidence(qint64 modelId)
{
    if (m_wanted != modelId) {
        return;
    }
    m_cancel = false;
    if (m_cancelled == modelId) { // Cancel came before the work did
        Q_EMIT evidenceCancelled(modelId);
        return;
    }
    try {
        open();
        const annotation::ReleaseEvidence evidence =
            annotation::ReleaseValidation(m_connection->db(), m_root)
                .evidence(
                    m_who, modelId,
                    [this](qint64 done, qint64 total) { Q_EMIT evidenceProgressed(done, total); },
                    &m_cancel);
        if (!evidence.cancelled) {
            Q_EMIT evidenceReady(evidence);
        } else if (m_wanted == modelId) {
            Q_EMIT evidenceCancelled(modelId); // by Cancel, not by choosing another model
        }
    } catch (const std::exception &error) {
        Q_EMIT evidenceFailed(modelId, QString::fromUtf8(error.what()));
    }
}

void ValidationWorker::decide(qint64 modelId, bool approve, const QString &comment)
{
    try {
        open();
        Q_EMIT decided(annotation::ReleaseSignOff(m_connection->db())
                           .decide(m_who, modelId, approve, comment));
    } catch (const std::exception &error) {
        Q_EMIT failed(approve ? tr("Approving model %1").arg(modelId)
                              : tr("Rejecting model %1").arg(modelId),
                      QString::fromUtf8(error.what()));
    }
    loadCandidates();
}

} // namespace digitdesk::ui
