#include "annotation/reviewservice.h"

#include "annotation/annotationservice.h"
#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/datacheckrepository.h"
#include "storage/goldrepository.h"
#include "storage/imagerepository.h"
#include "storage/labelrepository.h"
#include "storage/labelsuspectrepository.h"
#include "storage/leaserepository.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/reviewrepository.h"
#include "storage/settingsrepository.h"
#include "storage/timestamps.h"
#include "storage/transaction.h"

#include <algorithm>

namespace digitdesk::annotation {
namespace {

const QString Approved = QStringLiteral("approved");
const QString Corrected = QStringLiteral("corrected");
const QString Rejected = QStringLiteral("rejected");

QString imageTarget(qint64 imageId)
{
    return QStringLiteral("image:%1").arg(imageId);
}

} // namespace

ReviewItem ReviewService::loadItem(qint64 imageId) const
{
    ReviewItem item;
    item.imageId = imageId;
    const auto details = storage::ImageRepository(m_db).details(imageId);
    if (details) {
        item.pixels = details->pixels;
        item.history << QStringLiteral("%1 imported by %2 from %3")
                            .arg(details->importedAt.toString(Qt::ISODate), details->importedBy,
                                 details->source);
    }
    const auto predictions = storage::PredictionRepository(m_db).forImage(imageId);
    if (!predictions.empty()) {
        item.predictedLabel = predictions.front().label;
        item.confidence = static_cast<float>(predictions.front().confidence);
        item.history << QStringLiteral("model predicted %1 (%2%)")
                            .arg(item.predictedLabel)
                            .arg(item.confidence * 100, 0, 'f', 1);
    }
    item.rejectedBefore = storage::ReviewRepository(m_db).lastRejection(imageId);
    if (const auto suspect = storage::LabelSuspectRepository(m_db).pendingFor(imageId)) {
        const auto check = storage::DataCheckRepository(m_db).find(suspect->checkId);
        item.suspectedError = SuspectedErrorMark{check ? check->datasetTag : QString(),
                                                 suspect->givenLabel, suspect->suspectedLabel,
                                                 suspect->confidence, suspect->previousReviewer};
        item.history << QStringLiteral("%1 data check of %2 suspected a label error: given %3, "
                                       "likely %4 (%5%)")
                            .arg(suspect->sentAt.toString(Qt::ISODate),
                                 item.suspectedError->checkedVersion)
                            .arg(suspect->givenLabel)
                            .arg(suspect->suspectedLabel)
                            .arg(suspect->confidence * 100, 0, 'f', 1);
    }
    for (const storage::LabelRow &row : storage::LabelRepository(m_db).activeLabels(imageId)) {
        item.labels.push_back({row.id, row.label, row.annotator});
        item.history << QStringLiteral("%1 %2 labelled %3")
                            .arg(row.createdAt.toString(Qt::ISODate), row.annotator,
                                 row.label.isDigit() ? row.label.text()
                                                     : QStringLiteral("not a digit"));
    }
    return item;
}

std::optional<ReviewItem> ReviewService::next(const Principal &who) const
{
    m_access.require(who, Action::Review);
    const qint64 model = storage::ModelRepository(m_db).aliasTarget(ProductionAlias).value_or(0);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    storage::Transaction transaction(m_db);
    const auto id = storage::ReviewRepository(m_db).nextForReview(who.userId, model, now);
    if (!id) {
        transaction.commit();
        return std::nullopt;
    }
    // Held while the reviewer decides, so that twenty reviewers are not all shown the first
    // image of the queue (the annotation queue's lease, with its length).
    storage::LeaseRepository(m_db).lease(*id, who.userId, who.sessionId, now,
                                         storage::SettingsRepository(m_db).intValue(
                                             QString::fromLatin1(AnnotationService::LeaseSetting),
                                             AnnotationService::DefaultLeaseSeconds));
    transaction.commit();
    return loadItem(*id);
}

ReviewItem ReviewService::item(const Principal &who, qint64 imageId) const
{
    m_access.require(who, Action::Review, imageTarget(imageId));
    if (!reviewableLabels(who, imageId)) {
        throw PermissionDenied(who, Action::Review);
    }
    return loadItem(imageId);
}

std::optional<std::vector<ReviewLabel>> ReviewService::reviewableLabels(const Principal &who,
                                                                        qint64 imageId) const
{
    const storage::LabelRepository repository(m_db);
    if (repository.status(imageId) != storage::ImageStatus::Labelled) {
        throw InvalidRequest(QStringLiteral("image %1 is not waiting for review").arg(imageId));
    }
    const auto suspect = storage::LabelSuspectRepository(m_db).pendingFor(imageId);
    if (suspect && suspect->previousReviewerId != 0 && suspect->previousReviewerId == who.userId) {
        return std::nullopt;
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

void ReviewService::decide(const Principal &who, qint64 imageId, const QString &verdict,
                           storage::MaybeLabel label, const QString &comment, bool markGold)
{
    m_access.require(who, Action::Review, imageTarget(imageId));
    if (markGold) {
        m_access.require(who, Action::ManageGold, imageTarget(imageId));
    }
    storage::LabelRepository repository(m_db);
    storage::ReviewRepository reviews(m_db);
    std::optional<storage::Transaction> transaction(std::in_place, m_db);
    const auto reviewable = reviewableLabels(who, imageId);
    if (!reviewable) {
        // Roll back first: the refusal must stay in the audit log.
        transaction.reset();
        m_access.refuse(who, Action::Review, imageTarget(imageId),
                        QStringLiteral("refused: own label (four eyes)"));
    }
    const std::vector<ReviewLabel> &labels = *reviewable;
    const QString decidedAt = storage::nowDbTime();
    bool correctedAny = false;
    for (const ReviewLabel &reviewed : labels) {
        // "Correcting" a label to the digit it already has approves it as it is.
        const bool corrects = verdict == Corrected && storage::MaybeLabel(reviewed.label) != label;
        correctedAny = correctedAny || corrects;
        reviews.addReviewAt(reviewed.labelId,
                            verdict == Corrected && !corrects ? Approved : verdict,
                            corrects ? label : std::nullopt, who.name, who.userId, who.sessionId,
                            comment, decidedAt);
    }
    if (verdict == Rejected) {
        for (const ReviewLabel &reviewed : labels) {
            repository.retractLabel(reviewed.labelId, who.name);
        }
        repository.setStatus(imageId, storage::ImageStatus::Incoming);
    } else {
        repository.setStatus(imageId, storage::ImageStatus::Approved);
    }
    storage::LabelSuspectRepository suspects(m_db);
    if (const auto suspect = suspects.pendingFor(imageId)) {
        // Confirmed: the reviewer did not leave the given label standing.
        const bool confirmed = verdict == Rejected || correctedAny;
        const storage::MaybeLabel left =
            verdict == Rejected ? std::nullopt
            : correctedAny      ? label
                           : storage::MaybeLabel(storage::Label::fromDigit(suspect->givenLabel));
        suspects.decide(suspect->id, confirmed, left, who.actorRef());
    }
    if (markGold) {
        const auto image = storage::ImageRepository(m_db).details(imageId);
        const storage::Label goldLabel =
            image && image->label ? *image->label : storage::Label::notADigit();
        storage::GoldRepository(m_db).markGold(imageId, goldLabel, who.name, who.userId,
                                               who.sessionId);
    }
    storage::LeaseRepository(m_db).releaseLease(imageId);
    const QString detail = verdict == Corrected && !correctedAny ? Approved : verdict;
    m_access.audit(who, Action::Review, imageTarget(imageId),
                   markGold ? detail + QStringLiteral(", marked gold") : detail);
    transaction->commit();
}

void ReviewService::markGold(const Principal &who, qint64 imageId)
{
    m_access.require(who, Action::ManageGold, imageTarget(imageId));
    const auto image = storage::ImageRepository(m_db).details(imageId);
    if (!image || image->status != storage::ImageStatus::Approved) {
        throw InvalidRequest(
            QStringLiteral("image %1 is not approved; only approved images become gold")
                .arg(imageId));
    }
    storage::Transaction transaction(m_db);
    storage::GoldRepository(m_db).markGold(imageId,
                                           image->label.value_or(storage::Label::notADigit()),
                                           who.name, who.userId, who.sessionId);
    m_access.audit(who, Action::ManageGold, imageTarget(imageId), QStringLiteral("marked gold"));
    transaction.commit();
}

void ReviewService::approve(const Principal &who, qint64 imageId)
{
    decide(who, imageId, Approved, std::nullopt, {});
}

void ReviewService::correct(const Principal &who, qint64 imageId, storage::Label label)
{
    if (label.isNotADigit()) {
        throw InvalidRequest(QStringLiteral("%1 is not a digit 0-9").arg(label.text()));
    }
    decide(who, imageId, Corrected, label, {});
}

void ReviewService::approveAsGold(const Principal &who, qint64 imageId)
{
    decide(who, imageId, Approved, std::nullopt, {}, true);
}

void ReviewService::reject(const Principal &who, qint64 imageId, const QString &comment)
{
    decide(who, imageId, Rejected, std::nullopt, comment);
}

void ReviewService::checkUndoableApproval(const Principal &who, qint64 imageId) const
{
    const storage::GoldRepository repository(m_db);
    if (storage::LabelRepository(m_db).status(imageId) != storage::ImageStatus::Approved) {
        throw InvalidRequest(
            QStringLiteral("image %1 has changed since your review; it stays as it is")
                .arg(imageId));
    }
    const auto goldBy = repository.goldMarkedBy(imageId);
    if (goldBy && (*goldBy != who.userId || repository.goldAnswerCount(imageId) > 0)) {
        throw InvalidRequest(QStringLiteral("image %1 is a gold item that annotators are checked"
                                            " against now; your review stays")
                                 .arg(imageId));
    }
}

void ReviewService::checkUndoableRejection(const Principal &who, qint64 imageId) const
{
    const storage::LabelRepository repository(m_db);
    if (repository.status(imageId) != storage::ImageStatus::Incoming ||
        !repository.activeLabels(imageId).empty()) {
        throw InvalidRequest(
            QStringLiteral("image %1 has been labelled again since you rejected it; your review"
                           " stays")
                .arg(imageId));
    }
    if (storage::LeaseRepository(m_db).leasedByOther(imageId, who.userId,
                                                     QDateTime::currentDateTimeUtc())) {
        throw InvalidRequest(
            QStringLiteral("image %1 is on an annotator's screen now; your review stays")
                .arg(imageId));
    }
}

std::optional<qint64> ReviewService::undoLastReview(const Principal &who)
{
    m_access.require(who, Action::Review);
    storage::LabelRepository repository(m_db);
    storage::ReviewRepository reviews(m_db);
    storage::GoldRepository gold(m_db);
    storage::Transaction transaction(m_db);
    const std::vector<storage::ReviewRecord> rows =
        reviews.lastReviewDecision(who.userId, who.sessionId);
    if (rows.empty()) {
        return std::nullopt;
    }
    const qint64 imageId = rows.front().imageId;
    const bool rejected = std::any_of(rows.begin(), rows.end(),
                                      [](const auto &row) { return row.verdict == Rejected; });
    if (rejected) {
        checkUndoableRejection(who, imageId);
        for (const storage::ReviewRecord &row : rows) {
            repository.restoreLabel(row.labelId);
        }
        storage::LeaseRepository(m_db).releaseLease(imageId);
    } else {
        checkUndoableApproval(who, imageId);
        if (gold.goldMarkedBy(imageId)) {
            gold.unmarkGold(imageId);
        }
    }
    QStringList verdicts;
    for (const storage::ReviewRecord &row : rows) {
        reviews.deleteReview(row.id);
        verdicts << row.verdict;
    }
    verdicts.removeDuplicates();
    storage::LabelSuspectRepository(m_db).reopenDecision(imageId, who.userId);
    repository.setStatus(imageId, storage::ImageStatus::Labelled);
    m_access.audit(who, Action::Review, imageTarget(imageId),
                   QStringLiteral("undone: ") + verdicts.join(QStringLiteral(", ")));
    transaction.commit();
    return imageId;
}

} // namespace digitdesk::annotation
