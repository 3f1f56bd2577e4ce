#include "ui/annotationworker.h"

#include "storage/connection.h"

namespace digitdesk::ui {
AnnotationWorker::AnnotationWorker(QString databasePath, annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_who(std::move(who))
{}

AnnotationWorker::~AnnotationWorker() = default;

annotation::AnnotationService &AnnotationWorker::service()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_service) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
        m_service = std::make_unique<annotation::AnnotationService>(m_connection->db());
    }
    return *m_service;
}

void AnnotationWorker::fetchNext()
{
    try {
        const auto item = service().next(m_who);
        if (item) {
            Q_EMIT itemReady(*item);
        } else {
            Q_EMIT queueEmpty();
        }
        // The strip of what comes next is drawn after the current image is already up.
        emitUpcoming();
    } catch (const std::exception &error) {
        Q_EMIT fetchFailed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::emitUpcoming()
{
    QList<qint64> ids;
    QList<QByteArray> pixels;
    for (const annotation::QueueItem &next : service().upcoming(m_who, StripLength)) {
        ids << next.imageId;
        pixels << next.pixels;
    }
    Q_EMIT upcomingReady(ids, pixels);
}

void AnnotationWorker::saveLabel(qint64 imageId, storage::Label label, qint64 timeSpentMs)
{
    try {
        const annotation::LabelDecision decision =
            service().label(m_who, imageId, label, timeSpentMs);
        Q_EMIT labelSaved(imageId, label, decision.goldLabel);
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
        return;
    }
    fetchNext();
}

void AnnotationWorker::skip(qint64 imageId)
{
    try {
        service().skip(m_who, imageId);
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
        return;
    }
    fetchNext();
}

void AnnotationWorker::fetchPage(int count)
{
    try {
        const std::vector<annotation::QueueItem> items = service().nextPage(m_who, count);
        Q_EMIT pageReady(QList<annotation::QueueItem>(items.begin(), items.end()));
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::savePage(const QList<qint64> &imageIds, const QList<storage::Label> &labels,
                                qint64 timeSpentMs)
{
    std::vector<std::pair<qint64, storage::Label>> answers;
    for (qsizetype i = 0; i < imageIds.size() && i < labels.size(); ++i) {
        answers.emplace_back(imageIds[i], labels[i]);
    }
    try {
        service().labelPage(m_who, answers, timeSpentMs);
        Q_EMIT pageSaved(static_cast<int>(answers.size()));
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
        return;
    }
    fetchPage(static_cast<int>(answers.size()));
}

void AnnotationWorker::fetchQueueFigures()
{
    try {
        Q_EMIT queueFiguresReady(service().queueFigures(m_who));
    } catch (const std::exception &error) {
        Q_EMIT queueFiguresFailed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::fetchHistory()
{
    try {
        const std::vector<annotation::HistoryEntry> entries = service().recent(m_who, 50);
        Q_EMIT historyReady(QList<annotation::HistoryEntry>(entries.begin(), entries.end()));
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::relabel(qint64 labelId, storage::Label label)
{
    try {
        Q_EMIT relabelled(labelId, service().relabel(m_who, labelId, label));
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::fetchUpcoming()
{
    try {
        emitUpcoming();
    } catch (const std::exception &error) {
        Q_EMIT upcomingFailed(QString::fromUtf8(error.what()));
    }
}

void AnnotationWorker::undo()
{
    try {
        const auto undone = service().undo(m_who);
        if (undone) {
            Q_EMIT this->undone(undone->imageId, undone->label);
            Q_EMIT itemReady(service().leasedItem(m_who, undone->imageId));
            emitUpcoming();
        } else {
            Q_EMIT failed(
                tr("Nothing to undo: your last label has been reviewed, or there is none."));
        }
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
    }
}

} // namespace digitdesk::ui
