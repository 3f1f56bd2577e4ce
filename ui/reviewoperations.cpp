#include "ui/reviewoperations.h"

#include "storage/connection.h"

namespace digitdesk::ui {
namespace {

class DatabaseReviewOperations final : public ReviewOperations
{
public:
    explicit DatabaseReviewOperations(const QString &databasePath)
        : m_connection(databasePath), m_service(m_connection.db())
    {}

    std::optional<annotation::ReviewItem> next(const annotation::Principal &who) override
    {
        return m_service.next(who);
    }
    annotation::ReviewItem item(const annotation::Principal &who, qint64 imageId) override
    {
        return m_service.item(who, imageId);
    }
    void approve(const annotation::Principal &who, qint64 imageId) override
    {
        m_service.approve(who, imageId);
    }
    void correct(const annotation::Principal &who, qint64 imageId, storage::Label label) override
    {
        m_service.correct(who, imageId, label);
    }
    void approveAsGold(const annotation::Principal &who, qint64 imageId) override
    {
        m_service.approveAsGold(who, imageId);
    }
    void reject(const annotation::Principal &who, qint64 imageId, const QString &comment) override
    {
        m_service.reject(who, imageId, comment);
    }
    std::optional<qint64> undoLastReview(const annotation::Principal &who) override
    {
        return m_service.undoLastReview(who);
    }
    annotation::QualityReport figures(const annotation::Principal &who) override
    {
        return annotation::qualityReport(m_connection.db(), who);
    }

private:
    storage::Connection m_connection;
    annotation::ReviewService m_service;
};

} // namespace

ReviewServiceFactory reviewServiceFactory(const QString &databasePath)
{
    return [databasePath]() -> std::unique_ptr<ReviewOperations> {
        return std::make_unique<DatabaseReviewOperations>(databasePath);
    };
}

} // namespace digitdesk::ui
