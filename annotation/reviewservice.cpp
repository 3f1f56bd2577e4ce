#include "annotation/reviewservice.h"

#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/annotationrepository.h"
#include "storage/imagerepository.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/transaction.h"

namespace digitdesk::annotation {

std::optional<ReviewItem> ReviewService::next(const Principal &who) const
{
    m_access.require(who, Action::Review);
    const qint64 model = storage::ModelRepository(m_db).aliasTarget(ProductionAlias).value_or(0);
    const auto id = storage::AnnotationRepository(m_db).nextForReview(who.userId, model);
    if (!id) {
        return std::nullopt;
    }
    ReviewItem item;
    item.imageId = *id;
    const auto details = storage::ImageRepository(m_db).details(*id);
    if (details) {
        item.pixels = details->pixels;
        item.history << QStringLiteral("%1 imported by %2 from %3")
                            .arg(details->importedAt.toString(Qt::ISODate), details->importedBy,
                                 details->source);
    }
    const auto predictions = storage::PredictionRepository(m_db).forImage(*id);
    if (!predictions.empty()) {
        item.predictedLabel = predictions.front().label;
        item.confidence = static_cast<float>(predictions.front().confidence);
        item.history << QStringLiteral("model predicted %1 (%2%)")
                            .arg(item.predictedLabel)
                            .arg(item.confidence * 100, 0, 'f', 1);
    }
    for (const storage::LabelRow &row : storage::AnnotationRepository(m_db).activeLabels(*id)) {
        item.labels.push_back({row.id, row.label, row.annotator});
        item.history << QStringLiteral("%1 %2 labelled %3")
                            .arg(row.createdAt.toString(Qt::ISODate), row.annotator,
                                 row.label >= 0 ? QString::number(row.label)
                                                : QStringLiteral("not a digit"));
    }
    return item;
}

std::optional<std::vector<ReviewLabel>> ReviewService::reviewableLabels(const Principal &who,
                                                                        qint64 imageId) const
{
    const storage::AnnotationRepository repository(m_db);
    if (repository.status(imageId) != QStringLiteral("labelled")) {
        throw InvalidRequest(QStringLiteral("image %1 is not waiting for review").arg(imageId));
    }
    std::vector<ReviewLabel> labels;
    for (const storage::LabelRow &row : repository.activeLabels(imageId)) {
        if (row.annotatorId != 0 && row.annotatorId == who.userId) {
            return std::nullopt;
        }
        labels.push_back({row.id, row.label, row.annotator});
    }
    return labels;
}

void ReviewService::decide(const Principal &who, qint64 imageId, const QString &verdict, int label,
                           const QString &comment)
{
    m_access.require(who, Action::Review, QStringLiteral("image:%1").arg(imageId));
    storage::AnnotationRepository repository(m_db);
    std::optional<storage::Transaction> transaction(std::in_place, m_db);
    const auto reviewable = reviewableLabels(who, imageId);
    if (!reviewable) {
        // Roll back first: the refusal must stay in the audit log.
        transaction.reset();
        m_access.audit(who, Action::Review, QStringLiteral("image:%1").arg(imageId),
                       QStringLiteral("refused: own label (four eyes)"));
        throw PermissionDenied(who, Action::Review);
    }
    const std::vector<ReviewLabel> &labels = *reviewable;
    for (const ReviewLabel &reviewed : labels) {
        repository.addReview(reviewed.labelId, verdict, label, who.name, who.userId, who.sessionId,
                             comment);
    }
    if (verdict == QStringLiteral("rejected")) {
        for (const ReviewLabel &reviewed : labels) {
            repository.retractLabel(reviewed.labelId, who.name);
        }
        repository.setStatus(imageId, QStringLiteral("incoming"));
    } else {
        repository.setStatus(imageId, QStringLiteral("approved"));
    }
    m_access.audit(who, Action::Review, QStringLiteral("image:%1").arg(imageId), verdict);
    transaction->commit();
}

void ReviewService::markGold(const Principal &who, qint64 imageId)
{
    m_access.require(who, Action::ManageGold, QStringLiteral("image:%1").arg(imageId));
    const auto image = storage::ImageRepository(m_db).details(imageId);
    if (!image || image->status != storage::ImageStatus::Approved) {
        throw InvalidRequest(
            QStringLiteral("image %1 is not approved; only approved images become gold")
                .arg(imageId));
    }
    storage::Transaction transaction(m_db);
    storage::AnnotationRepository(m_db).markGold(imageId, image->label == -2 ? -1 : image->label,
                                                 who.name, who.userId, who.sessionId);
    m_access.audit(who, Action::ManageGold, QStringLiteral("image:%1").arg(imageId),
                   QStringLiteral("marked gold"));
    transaction.commit();
}

void ReviewService::approve(const Principal &who, qint64 imageId)
{
    decide(who, imageId, QStringLiteral("approved"), -1, {});
}

void ReviewService::correct(const Principal &who, qint64 imageId, int label)
{
    if (label < 0 || label > 9) {
        throw InvalidRequest(QStringLiteral("%1 is not a digit 0-9").arg(label));
    }
    decide(who, imageId, QStringLiteral("corrected"), label, {});
}

void ReviewService::reject(const Principal &who, qint64 imageId, const QString &comment)
{
    decide(who, imageId, QStringLiteral("rejected"), -1, comment);
}

} // namespace digitdesk::annotation
