#pragma once

#include "annotation/principal.h"
#include "annotation/qualityfigures.h"
#include "annotation/reviewservice.h"
#include "storage/label.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace digitdesk::ui {

// What the review view asks of the review service (annotation/reviewservice.h), called on the
// review worker's thread one request at a time. A test gives a fake; MainWindow the real one.
class ReviewOperations
{
public:
    virtual ~ReviewOperations() = default;

    virtual std::optional<annotation::ReviewItem> next(const annotation::Principal &who) = 0;
    virtual annotation::ReviewItem item(const annotation::Principal &who, qint64 imageId) = 0;
    virtual void approve(const annotation::Principal &who, qint64 imageId) = 0;
    virtual void correct(const annotation::Principal &who, qint64 imageId,
                         storage::Label label) = 0;
    virtual void approveAsGold(const annotation::Principal &who, qint64 imageId) = 0;
    virtual void reject(const annotation::Principal &who, qint64 imageId,
                        const QString &comment) = 0;
    virtual std::optional<qint64> undoLastReview(const annotation::Principal &who) = 0;
    // The annotators' figures and the kappa of each pair that shares items.
    virtual annotation::QualityReport figures(const annotation::Principal &who) = 0;
};

// Called on the worker's thread, where the operations are used: a database connection belongs
// to the thread that opened it.
using ReviewServiceFactory = std::function<std::unique_ptr<ReviewOperations>()>;

// The review service on its own connection to the workspace's database.
ReviewServiceFactory reviewServiceFactory(const QString &databasePath);

} // namespace digitdesk::ui
