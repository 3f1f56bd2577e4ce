#include "ui/reviewworker.h"

namespace digitdesk::ui {

ReviewWorker::ReviewWorker(ReviewServiceFactory factory, annotation::Principal who)
    : m_factory(std::move(factory)), m_who(std::move(who))
{}

ReviewWorker::~ReviewWorker() = default;

ReviewOperations &ReviewWorker::service()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_service) {
        m_service = m_factory();
    }
    return *m_service;
}

void ReviewWorker::fetchNext()
{
    try {
        const auto item = service().next(m_who);
        if (item) {
            Q_EMIT itemReady(*item);
        } else {
            Q_EMIT nothingToReview();
        }
    } catch (const std::exception &error) {
        Q_EMIT fetchFailed(QString::fromUtf8(error.what()));
    }
}

void ReviewWorker::fetchFigures()
{
    try {
        Q_EMIT figuresReady(service().figures(m_who));
    } catch (const std::exception &error) {
        Q_EMIT figuresFailed(QString::fromUtf8(error.what()));
    }
}

template <typename Decision> void ReviewWorker::decide(qint64 imageId, Decision decision)
{
    try {
        decision(service());
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
        return;
    }
    Q_EMIT decided(imageId);
    fetchNext();
    fetchFigures();
}

void ReviewWorker::approve(qint64 imageId)
{
    decide(imageId, [&](ReviewOperations &reviews) { reviews.approve(m_who, imageId); });
}

void ReviewWorker::correct(qint64 imageId, storage::Label label)
{
    decide(imageId, [&](ReviewOperations &reviews) { reviews.correct(m_who, imageId, label); });
}

void ReviewWorker::approveAsGold(qint64 imageId)
{
    decide(imageId, [&](ReviewOperations &reviews) { reviews.approveAsGold(m_who, imageId); });
}

void ReviewWorker::reject(qint64 imageId, const QString &comment)
{
    decide(imageId, [&](ReviewOperations &reviews) { reviews.reject(m_who, imageId, comment); });
}

void ReviewWorker::undo()
{
    std::optional<qint64> imageId;
    try {
        imageId = service().undoLastReview(m_who);
    } catch (const std::exception &error) {
        Q_EMIT undoRefused(QString::fromUtf8(error.what()));
        return;
    }
    if (!imageId) {
        Q_EMIT undoRefused(tr("Nothing to undo: you have not reviewed anything in this session."));
        return;
    }
    Q_EMIT undone(*imageId);
    try {
        Q_EMIT itemReady(service().item(m_who, *imageId));
    } catch (const std::exception &error) {
        // Undone all the same: only showing the image again failed.
        Q_EMIT fetchFailed(QString::fromUtf8(error.what()));
        return;
    }
    fetchFigures();
}

} // namespace digitdesk::ui
