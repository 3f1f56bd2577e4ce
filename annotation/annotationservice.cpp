#include "annotation/annotationservice.h"

#include "annotation/modelregistry.h"
#include "annotation/queueplanner.h"
#include "annotation/shadowfigures.h"
#include "annotation/teamsettings.h"
#include "annotation/userservice.h"
#include "storage/goldrepository.h"
#include "storage/imagerepository.h"
#include "storage/labelrepository.h"
#include "storage/leaserepository.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/reviewrepository.h"
#include "storage/settingsrepository.h"
#include "storage/shadowrepository.h"
#include "storage/transaction.h"

#include <algorithm>
#include <cmath>

namespace digitdesk::annotation {
namespace {

// One in `1 / share` decisions, as a whole period (0: never).
int periodOf(const storage::SettingsRepository &settings, const char *key)
{
    const double share =
        settings.value(QString::fromLatin1(key), QStringLiteral("0.05")).toDouble();
    return share > 0 ? std::max(2, static_cast<int>(std::lround(1.0 / share))) : 0;
}

} // namespace

AnnotationService::AnnotationService(const QSqlDatabase &db, Clock clock)
    : m_db(db), m_access(db), m_clock(std::move(clock))
{}

QDateTime AnnotationService::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

QueueItem AnnotationService::loadItem(qint64 imageId) const
{
    QueueItem item;
    item.imageId = imageId;
    const auto details = storage::ImageRepository(m_db).details(imageId);
    if (details) {
        item.pixels = details->pixels;
        item.originalSha256 = details->originalSha256;
    }
    item.sentBack = storage::ReviewRepository(m_db).lastRejection(imageId);
    if (const auto disagreement = storage::ShadowRepository(m_db).disagreementOn(imageId)) {
        item.modelsDisagree = describeDisagreement(*disagreement);
    }
    const auto predictions = storage::PredictionRepository(m_db).forImage(imageId);
    if (!predictions.empty()) { // newest first
        item.predictedLabel = predictions.front().label;
        item.confidence = static_cast<float>(predictions.front().confidence);
        item.probabilities = predictions.front().probabilities;
    }
    return item;
}

int AnnotationService::leaseSeconds() const
{
    return storage::SettingsRepository(m_db).intValue(QString::fromLatin1(LeaseSetting),
                                                      DefaultLeaseSeconds);
}

std::vector<qint64> AnnotationService::planAfterCurrent(const Principal &who, int count,
                                                        const std::vector<qint64> &planned) const
{
    const storage::SettingsRepository settings(m_db);
    const QueuePlanner planner(
        m_db, {periodOf(settings, HighConfidenceSetting), periodOf(settings, GoldSetting)});
    // Decisions are numbered over the annotator's standing labels; the current item, when
    // there is one, takes the next number, and what is already planned the ones after it.
    const qint64 first = storage::LabelRepository(m_db).labelCountBy(who.userId) + 1 +
                         (m_current != 0 ? 1 : 0) + static_cast<qint64>(planned.size());
    std::vector<qint64> exclude = planned;
    if (m_current != 0) {
        exclude.push_back(m_current);
    }
    return planner.plan(who.userId, now(), first, count, exclude);
}

void AnnotationService::followCaller(const Principal &who)
{
    // What is on screen and coming next belongs to one person's session.
    const qint64 caller = who.sessionId != 0 ? who.sessionId : -who.userId;
    if (caller != m_caller) {
        m_caller = caller;
        m_current = 0;
        m_coming.clear();
    }
}

std::optional<QueueItem> AnnotationService::next(const Principal &who)
{
    m_access.require(who, Action::Annotate);
    followCaller(who);
    const int seconds = leaseSeconds();
    storage::LeaseRepository repository(m_db);
    const QDateTime at = now();

    storage::Transaction transaction(m_db);
    std::optional<qint64> id;
    // The image that was on screen and not decided (the annotator went to grid mode and came
    // back, say) is still theirs and comes first.
    if (m_current != 0 && repository.isOpenFor(m_current, who.userId, at)) {
        id = m_current;
    }
    m_current = 0;
    while (!m_coming.empty() && !id) {
        const qint64 candidate = m_coming.front();
        m_coming.erase(m_coming.begin());
        if (repository.isOpenFor(candidate, who.userId, at)) {
            id = candidate;
        }
    }
    if (!id) {
        const std::vector<qint64> planned = planAfterCurrent(who, 1, {});
        if (!planned.empty()) {
            id = planned.front();
        }
    }
    if (!id) {
        transaction.commit();
        return std::nullopt;
    }
    repository.lease(*id, who.userId, who.sessionId, at, seconds);
    transaction.commit();
    m_current = *id;
    QueueItem item = loadItem(*id);
    item.leaseExpires = at.addSecs(seconds);
    return item;
}

std::vector<QueueItem> AnnotationService::nextPage(const Principal &who, int count)
{
    m_access.require(who, Action::Annotate);
    const int seconds = leaseSeconds();
    storage::LeaseRepository repository(m_db);
    const QDateTime at = now();
    storage::Transaction transaction(m_db);
    const std::vector<qint64> ids = repository.mostConfident(who.userId, at, count);
    for (qint64 id : ids) {
        repository.lease(id, who.userId, who.sessionId, at, seconds);
    }
    transaction.commit();
    std::vector<QueueItem> items;
    for (qint64 id : ids) {
        QueueItem item = loadItem(id);
        item.leaseExpires = at.addSecs(seconds);
        items.push_back(item);
    }
    return items;
}

std::vector<LabelDecision>
AnnotationService::labelPage(const Principal &who,
                             const std::vector<std::pair<qint64, storage::Label>> &answers,
                             qint64 timeSpentMs)
{
    m_access.require(who, Action::Annotate);
    storage::LabelRepository repository(m_db);
    storage::LeaseRepository leases(m_db);
    const int overlap = std::max(
        1, storage::SettingsRepository(m_db).intValue(QString::fromLatin1(OverlapSetting), 1));
    const qint64 each = answers.empty() ? 0 : timeSpentMs / static_cast<qint64>(answers.size());
    std::vector<LabelDecision> decisions;
    storage::Transaction transaction(m_db);
    for (const auto &[imageId, label] : answers) {
        if (leases.leasedByOther(imageId, who.userId, now()) ||
            repository.status(imageId) != storage::ImageStatus::Incoming) {
            throw InvalidRequest(QStringLiteral("image %1 of the page is no longer yours to label; "
                                                "nothing of the page was saved")
                                     .arg(imageId));
        }
        const qint64 labelId = repository.addLabel(imageId, label, who.userId, who.sessionId, each);
        leases.releaseLease(imageId);
        if (repository.activeLabelCount(imageId) >= overlap) {
            repository.setStatus(imageId, storage::ImageStatus::Labelled);
        }
        decisions.push_back({labelId, imageId, label, std::nullopt});
    }
    transaction.commit();
    return decisions;
}

std::vector<QueueItem> AnnotationService::upcoming(const Principal &who, int count)
{
    m_access.require(who, Action::Annotate);
    followCaller(who);
    storage::LeaseRepository repository(m_db);
    const QDateTime at = now();
    const int seconds = leaseSeconds();
    storage::Transaction transaction(m_db);
    std::vector<qint64> coming;
    for (qint64 id : repository.stillOpenFor(m_coming, who.userId, at)) {
        if (static_cast<int>(coming.size()) < count && id != m_current) {
            coming.push_back(id);
        }
    }
    const int missing = count - static_cast<int>(coming.size());
    for (qint64 id : planAfterCurrent(who, missing, coming)) {
        coming.push_back(id);
    }
    std::vector<qint64> held = coming;
    if (m_current != 0 && repository.isOpenFor(m_current, who.userId, at)) {
        held.push_back(m_current);
    }
    const QHash<qint64, QDateTime> expiries = repository.leaseExpiries(who.userId);
    if (std::any_of(expiries.keyBegin(), expiries.keyEnd(), [&](qint64 id) {
            return std::find(held.begin(), held.end(), id) == held.end();
        })) {
        repository.releaseLeasesExcept(who.userId, who.sessionId, held);
    }
    // A lease is written when it is new or half run out (after a locked screen, say), not on
    // every call: the strip is redrawn after every label.
    const QDateTime renewBefore = at.addSecs(seconds / 2);
    for (qint64 id : held) {
        if (!expiries.contains(id) || expiries.value(id) < renewBefore) {
            repository.lease(id, who.userId, who.sessionId, at, seconds);
        }
    }
    transaction.commit();
    m_coming = coming;

    const QHash<qint64, QByteArray> pixels = storage::ImageRepository(m_db).pixels(coming);
    std::vector<QueueItem> items;
    items.reserve(coming.size());
    for (qint64 id : coming) {
        QueueItem item;
        item.imageId = id;
        item.pixels = pixels.value(id);
        item.leaseExpires = at.addSecs(seconds);
        items.push_back(item);
    }
    return items;
}

LabelDecision AnnotationService::label(const Principal &who, qint64 imageId, storage::Label label,
                                       qint64 timeSpentMs)
{
    m_access.require(who, Action::Annotate, QStringLiteral("image:%1").arg(imageId));
    storage::LabelRepository repository(m_db);
    storage::LeaseRepository leases(m_db);
    storage::Transaction transaction(m_db);
    if (leases.leasedByOther(imageId, who.userId, now())) {
        throw InvalidRequest(
            QStringLiteral("image %1 is leased to someone else now (your lease expired)")
                .arg(imageId));
    }
    if (repository.hasStandingLabel(imageId, who.userId)) {
        throw InvalidRequest(QStringLiteral("you have labelled image %1 already").arg(imageId));
    }
    const storage::MaybeLabel gold = storage::GoldRepository(m_db).goldLabel(imageId);
    if (gold) {
        // A check of the annotator: recorded, compared, never a label of the image.
        const qint64 labelId =
            repository.addLabel(imageId, label, who.userId, who.sessionId, timeSpentMs, true);
        leases.releaseLease(imageId);
        transaction.commit();
        return {labelId, imageId, label, gold};
    }
    if (repository.status(imageId) != storage::ImageStatus::Incoming) {
        throw InvalidRequest(
            QStringLiteral("image %1 is no longer waiting for a label").arg(imageId));
    }
    const qint64 labelId =
        repository.addLabel(imageId, label, who.userId, who.sessionId, timeSpentMs);
    leases.releaseLease(imageId);
    const int overlap = std::max(
        1, storage::SettingsRepository(m_db).intValue(QString::fromLatin1(OverlapSetting), 1));
    if (repository.activeLabelCount(imageId) >= overlap) {
        repository.setStatus(imageId, storage::ImageStatus::Labelled);
    }
    transaction.commit();
    return {labelId, imageId, label, std::nullopt};
}

void AnnotationService::skip(const Principal &who, qint64 imageId)
{
    m_access.require(who, Action::Annotate, QStringLiteral("image:%1").arg(imageId));
    storage::LeaseRepository repository(m_db);
    storage::Transaction transaction(m_db);
    repository.addSkip(imageId, who.userId, who.sessionId);
    if (repository.holdsLease(imageId, who.userId, now())) {
        repository.releaseLease(imageId);
    }
    transaction.commit();
    if (imageId == m_current) {
        m_current = 0;
    }
}

std::optional<LabelDecision> AnnotationService::undo(const Principal &who)
{
    m_access.require(who, Action::Annotate);
    storage::LabelRepository repository(m_db);
    storage::Transaction transaction(m_db);
    const auto last = repository.lastActiveLabelBy(who.userId);
    if (!last || last->reviewed) {
        return std::nullopt;
    }
    repository.retractLabel(last->id, who.name);
    if (!storage::GoldRepository(m_db).goldLabel(last->imageId) &&
        repository.status(last->imageId) == storage::ImageStatus::Labelled) {
        repository.setStatus(last->imageId, storage::ImageStatus::Incoming);
    }
    storage::LeaseRepository(m_db).lease(last->imageId, who.userId, who.sessionId, now(),
                                         leaseSeconds());
    transaction.commit();
    followCaller(who);
    // The undone image is on screen again; the one it replaced comes right after it.
    if (m_current != 0 && m_current != last->imageId) {
        m_coming.insert(m_coming.begin(), m_current);
    }
    m_current = last->imageId;
    return LabelDecision{last->id, last->imageId, last->label, std::nullopt};
}

LabelDecision AnnotationService::relabel(const Principal &who, qint64 labelId, storage::Label label)
{
    m_access.require(who, Action::Annotate, QStringLiteral("label:%1").arg(labelId));
    storage::LabelRepository repository(m_db);
    storage::Transaction transaction(m_db);
    const auto old = repository.findLabel(labelId);
    if (!old || old->annotatorId != who.userId) {
        throw InvalidRequest(QStringLiteral("label %1 is not one of yours").arg(labelId));
    }
    if (old->reviewed) {
        throw InvalidRequest(
            QStringLiteral("label %1 has been reviewed and can no longer change").arg(labelId));
    }
    // An answer to a gold item stays an answer: changing it never labels the gold image.
    const bool goldCheck = repository.isGoldCheck(labelId);
    repository.retractLabel(labelId, who.name);
    const qint64 newId =
        repository.addLabel(old->imageId, label, who.userId, who.sessionId, 0, goldCheck);
    transaction.commit();
    return {newId, old->imageId, label, storage::GoldRepository(m_db).goldLabel(old->imageId)};
}

std::vector<HistoryEntry> AnnotationService::recent(const Principal &who, int limit) const
{
    m_access.require(who, Action::Annotate);
    const std::vector<storage::LabelRow> rows =
        storage::LabelRepository(m_db).historyOf(who.userId, limit);
    std::vector<qint64> ids;
    ids.reserve(rows.size());
    for (const storage::LabelRow &row : rows) {
        ids.push_back(row.imageId);
    }
    const QHash<qint64, QByteArray> pixels = storage::ImageRepository(m_db).pixels(ids);
    std::vector<HistoryEntry> entries;
    entries.reserve(rows.size());
    for (const storage::LabelRow &row : rows) {
        entries.push_back({{row.id, row.imageId, row.label, std::nullopt},
                           pixels.value(row.imageId),
                           row.reviewed});
    }
    return entries;
}

QueueFigures AnnotationService::queueFigures(const Principal &who) const
{
    m_access.require(who, Action::Annotate);
    const QDateTime at = now().toUTC();
    QueueFigures figures;
    figures.leftForYou = storage::LeaseRepository(m_db).openCountFor(who.userId, at);
    figures.waitingForReview =
        storage::ImageRepository(m_db).count({storage::ImageStatus::Labelled, {}});
    figures.labelledToday = storage::LabelRepository(m_db).labelsGivenSince(
        who.userId, QDateTime(at.date(), QTime(0, 0), Qt::UTC));
    // Read as the Overview reads it: the manager's spin box stores a number, maybe "300.0".
    figures.dailyTarget = static_cast<int>(storage::SettingsRepository(m_db).numberValue(
        QString::fromLatin1(DailyTargetSetting), DefaultDailyTarget, 0, 1e9));
    return figures;
}

QueueItem AnnotationService::leasedItem(const Principal &who, qint64 imageId) const
{
    m_access.require(who, Action::Annotate, QStringLiteral("image:%1").arg(imageId));
    if (!storage::LeaseRepository(m_db).holdsLease(imageId, who.userId, now())) {
        throw InvalidRequest(QStringLiteral("image %1 is not leased to you").arg(imageId));
    }
    return loadItem(imageId);
}

std::vector<LabelDecision> AnnotationService::history(const Principal &who, int limit) const
{
    m_access.require(who, Action::Annotate);
    std::vector<LabelDecision> decisions;
    for (const storage::LabelRow &row :
         storage::LabelRepository(m_db).historyOf(who.userId, limit)) {
        decisions.push_back({row.id, row.imageId, row.label, std::nullopt});
    }
    return decisions;
}

} // namespace digitdesk::annotation
