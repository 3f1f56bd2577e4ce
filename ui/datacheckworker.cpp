#include "ui/datacheckworker.h"

#include "annotation/datasetservice.h"
#include "storage/connection.h"

namespace digitdesk::ui {

DataCheckWorker::DataCheckWorker(QString databasePath, QString workspaceRoot,
                                 annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_root(std::move(workspaceRoot)),
      m_who(std::move(who))
{}

DataCheckWorker::~DataCheckWorker() = default;

void DataCheckWorker::open()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_checks) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
        m_checks = std::make_unique<annotation::DataCheckService>(m_connection->db(), m_root);
    }
}

void DataCheckWorker::load(const QString &tag)
{
    try {
        open();
        DataCheckPage page;
        page.tag = tag;
        page.check = m_checks->latest(m_who, tag);
        page.decisions = m_checks->decisions(m_who);
        page.standing = annotation::dataCheckStanding(m_connection->db(), tag);
        if (page.check) {
            page.suspects = m_checks->suspects(m_who, page.check->record.id);
            const annotation::DatasetService datasets(m_connection->db(), m_root);
            for (const storage::LabelSuspectRow &suspect : page.suspects) {
                page.pixels.push_back(datasets.pixels(m_who, tag, suspect.sha256));
            }
        }
        Q_EMIT loaded(page);
    } catch (const std::exception &error) {
        Q_EMIT loadFailed(tag, QString::fromUtf8(error.what()));
    }
}

void DataCheckWorker::sendToReview(const QString &tag, qint64 checkId,
                                   const QList<qint64> &suspectIds)
{
    try {
        open();
        const annotation::SentToReview result = m_checks->sendToReview(
            m_who, checkId, std::vector<qint64>(suspectIds.begin(), suspectIds.end()));
        Q_EMIT sent(tag, result);
    } catch (const std::exception &error) {
        Q_EMIT sendFailed(QString::fromUtf8(error.what()));
    }
}

} // namespace digitdesk::ui
