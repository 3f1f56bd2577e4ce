#pragma once

#include "annotation/principal.h"
#include "annotation/qualityfigures.h"
#include "annotation/reviewservice.h"
#include "storage/label.h"
#include "ui/labelmetatype.h"
#include "ui/reviewoperations.h"

#include <QObject>
#include <QString>

#include <memory>

Q_DECLARE_METATYPE(digitdesk::annotation::ReviewItem)
Q_DECLARE_METATYPE(digitdesk::annotation::QualityReport)

namespace digitdesk::ui {

// Runs the review service on its own thread (made there by the factory, with its own database
// connection), one request at a time in the order they were made, so the review view never
// waits for SQL. After every decision it sends the next item first and the annotators' figures
// after it.
class ReviewWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewWorker)

public:
    ReviewWorker(ReviewServiceFactory factory, annotation::Principal who);
    ~ReviewWorker() override;

public Q_SLOTS:
    void fetchNext();
    void fetchFigures();
    void approve(qint64 imageId);
    void correct(qint64 imageId, digitdesk::storage::Label label);
    void approveAsGold(qint64 imageId);
    void reject(qint64 imageId, const QString &comment);
    void undo();

Q_SIGNALS:
    void itemReady(const digitdesk::annotation::ReviewItem &item);
    void nothingToReview();
    // The decision on this image is committed; the next item follows.
    void decided(qint64 imageId);
    // The next item could not be read; nothing was lost.
    void fetchFailed(const QString &reason);
    void undone(qint64 imageId);
    void undoRefused(const QString &reason);
    void figuresReady(const digitdesk::annotation::QualityReport &report);
    void figuresFailed(const QString &reason);
    void failed(const QString &reason);

private:
    ReviewOperations &service();
    // Runs one decision on the image; on success the next item and the figures follow.
    template <typename Decision> void decide(qint64 imageId, Decision decision);

    ReviewServiceFactory m_factory;
    annotation::Principal m_who;
    std::unique_ptr<ReviewOperations> m_service;
};

} // namespace digitdesk::ui
