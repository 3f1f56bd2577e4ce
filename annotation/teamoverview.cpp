#include "annotation/teamoverview.h"

#include "annotation/annotationservice.h"
#include "annotation/qualityfigures.h"
#include "annotation/releasesignoff.h"
#include "annotation/teamsettings.h"
#include "annotation/userservice.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/teamfiguresrepository.h"
#include "storage/transaction.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>
#include <set>

namespace digitdesk::annotation {
namespace {

QDate mondayOf(const QDate &day)
{
    return day.addDays(1 - day.dayOfWeek());
}

QDateTime startOf(const QDate &day)
{
    return QDateTime(day, QTime(0, 0), Qt::UTC);
}

std::vector<WeeklyQuality> weeklyQuality(const storage::TeamFiguresRepository &repository,
                                         const QDateTime &from, const QDateTime &until)
{
    std::map<std::pair<QDate, QString>, WeeklyQuality> weeks;
    const auto weekOf = [&weeks](const QDateTime &at, const QString &annotator) -> auto &
    {
        const QDate monday = mondayOf(at.toUTC().date());
        WeeklyQuality &week = weeks[{monday, annotator}];
        week.week = monday;
        week.annotator = annotator;
        return week;
    };
    for (const storage::GoldAnswerRow &answer : repository.goldAnswers(from, until)) {
        WeeklyQuality &week = weekOf(answer.answeredAt, answer.annotator);
        ++week.goldAnswered;
        week.goldRight += answer.right ? 1 : 0;
    }
    std::map<std::pair<QDate, QString>, std::vector<std::pair<storage::Label, storage::Label>>>
        ratings;
    for (const storage::ReviewedLabelRow &row : repository.reviewedLabels(from, until)) {
        WeeklyQuality &week = weekOf(row.labelledAt, row.annotator);
        ++week.reviewed;
        ratings[{week.week, week.annotator}].emplace_back(row.label, row.reviewerLabel);
    }
    std::vector<WeeklyQuality> result;
    for (auto &[key, week] : weeks) {
        if (week.goldAnswered > 0) {
            week.goldAccuracy = static_cast<double>(week.goldRight) / week.goldAnswered;
        }
        const auto found = ratings.find(key);
        if (found != ratings.end()) {
            week.kappa = cohensKappa(found->second);
        }
        result.push_back(week);
    }
    return result;
}

std::vector<VersionAccuracy> modelsByVersion(const QSqlDatabase &db, const QDateTime &until)
{
    std::map<QString, const storage::DatasetVersionRecord *> versions;
    const std::vector<storage::DatasetVersionRecord> records =
        storage::DatasetVersionRepository(db).list();
    // This workspace's own version before a pulled one of the same commit.
    for (const storage::DatasetVersionRecord &record : records) {
        auto &slot = versions[record.commitId];
        if (slot == nullptr || (!slot->origin.isEmpty() && record.origin.isEmpty())) {
            slot = &record;
        }
    }
    std::vector<VersionAccuracy> models;
    for (const storage::ModelRecord &model : storage::ModelRepository(db).listModels()) {
        const auto version = versions.find(model.datasetCommit);
        const double accuracy = recordedHeldOutAccuracy(model.metrics);
        if (model.datasetCommit.isEmpty() || version == versions.end() || accuracy < 0 ||
            model.createdAt >= until) {
            continue;
        }
        models.push_back({model.id, version->second->tag, version->second->imageCount, accuracy,
                          model.createdAt});
    }
    std::sort(models.begin(), models.end(),
              [](const auto &a, const auto &b) { return a.modelId < b.modelId; });
    return models;
}

ServingSloSummary servingSlo(const storage::TeamFiguresRepository &repository,
                             const QDateTime &from, const QDateTime &until)
{
    const storage::ServingTotals totals =
        repository.servingTotals(from.toSecsSinceEpoch() / 60, until.toSecsSinceEpoch() / 60);
    ServingSloSummary slo;
    slo.requests = totals.requests;
    slo.bad = totals.bad;
    if (totals.requests > 0) {
        const double requests = static_cast<double>(totals.requests);
        const double bad = static_cast<double>(totals.bad);
        slo.availability = 1.0 - bad / requests;
        slo.budgetLeft = 1.0 - bad / (requests * ServingSloSummary::ErrorBudget);
    }
    return slo;
}

double numberSetting(const storage::SettingsRepository &settings, const char *key)
{
    const TeamSetting *setting = findTeamSetting(QString::fromLatin1(key));
    bool ok = false;
    const double value = settings.value(setting->key).toDouble(&ok);
    return ok ? value : setting->fallback;
}

} // namespace

QStringList OverviewFigures::annotators() const
{
    std::set<QString> names;
    for (const DailyLabels &day : labelsPerDay) {
        names.insert(day.annotator);
    }
    return QStringList(names.begin(), names.end());
}

int OverviewFigures::labelsOn(const QDate &day, const QString &annotator) const
{
    for (const DailyLabels &entry : labelsPerDay) {
        if (entry.day == day && entry.annotator == annotator) {
            return entry.labels;
        }
    }
    return 0;
}

int OverviewFigures::totalLabels() const
{
    int total = 0;
    for (const DailyLabels &entry : labelsPerDay) {
        total += entry.labels;
    }
    return total;
}

TeamOverview::TeamOverview(const QSqlDatabase &db, Clock clock)
    : m_db(db), m_access(db), m_clock(std::move(clock))
{}

QDateTime TeamOverview::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

OverviewFigures TeamOverview::lastDays(const Principal &who) const
{
    const QDate today = now().toUTC().date();
    return figures(who, today.addDays(1 - Days), today);
}

OverviewFigures TeamOverview::month(const Principal &who, int year, int month) const
{
    const QDate first(year, month, 1);
    if (!first.isValid() || first > now().toUTC().date()) {
        throw InvalidRequest(QStringLiteral("%1-%2 is not a month that has begun")
                                 .arg(year)
                                 .arg(month, 2, 10, QLatin1Char('0')));
    }
    return figures(who, first, first.addMonths(1).addDays(-1));
}

OverviewFigures TeamOverview::figures(const Principal &who, const QDate &firstDay,
                                      const QDate &lastDay) const
{
    m_access.require(who, Action::ViewOverview);
    const storage::TeamFiguresRepository repository(m_db);
    const QDateTime from = startOf(firstDay);
    const QDateTime until = startOf(lastDay.addDays(1));
    OverviewFigures figures;
    figures.firstDay = firstDay;
    figures.lastDay = lastDay;
    figures.readAt = now().toUTC();
    for (const storage::DailyLabelCount &count : repository.labelsPerDay(from, until)) {
        figures.labelsPerDay.push_back(
            {QDate::fromString(count.day, Qt::ISODate), count.annotator, count.labels});
    }
    figures.quality = weeklyQuality(repository, from, until);
    const storage::QueueState queue = repository.queueState();
    figures.queueDepth = queue.incoming;
    if (queue.oldestIncoming.isValid()) {
        figures.oldestItemAgeSeconds =
            std::max<qint64>(0, queue.oldestIncoming.secsTo(figures.readAt));
    }
    figures.reviewBacklog = queue.labelled;
    figures.releasesWaiting = ReleaseSignOff(m_db).waiting(who);
    figures.models = modelsByVersion(m_db, until);
    figures.slo = servingSlo(repository, from, until);
    figures.dailyTarget =
        static_cast<int>(numberSetting(storage::SettingsRepository(m_db), DailyTargetSetting));
    return figures;
}

TeamTargets TeamOverview::targets(const Principal &who) const
{
    m_access.require(who, Action::ViewOverview);
    const storage::SettingsRepository settings(m_db);
    TeamTargets targets;
    targets.dailyTarget = static_cast<int>(numberSetting(settings, DailyTargetSetting));
    targets.leaseSeconds =
        static_cast<int>(numberSetting(settings, AnnotationService::LeaseSetting));
    targets.highConfidenceShare = numberSetting(settings, AnnotationService::HighConfidenceSetting);
    targets.goldShare = numberSetting(settings, AnnotationService::GoldSetting);
    targets.overlap = static_cast<int>(numberSetting(settings, AnnotationService::OverlapSetting));
    return targets;
}

void TeamOverview::setTargets(const Principal &who, const TeamTargets &targets)
{
    const std::vector<std::pair<const char *, double>> values = {
        {DailyTargetSetting, targets.dailyTarget},
        {AnnotationService::LeaseSetting, targets.leaseSeconds},
        {AnnotationService::HighConfidenceSetting, targets.highConfidenceShare},
        {AnnotationService::GoldSetting, targets.goldShare},
        {AnnotationService::OverlapSetting, targets.overlap}};
    m_access.require(who, Action::SetTeamTargets);
    for (const auto &[key, value] : values) {
        if (const auto problem = checkTeamSetting(QString::fromLatin1(key), value)) {
            throw InvalidRequest(*problem);
        }
    }
    storage::SettingsRepository settings(m_db);
    storage::Transaction transaction(m_db);
    for (const auto &[key, value] : values) {
        if (numberSetting(settings, key) == value) {
            continue;
        }
        const QString name = QString::fromLatin1(key);
        settings.setValue(name, QString::number(value));
        m_access.audit(who, Action::SetTeamTargets, name,
                       QStringLiteral("setting set to %1").arg(value));
    }
    transaction.commit();
}

} // namespace digitdesk::annotation
