#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "annotation/servingmetricnames.h"

#include <QDate>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct DailyLabels
{
    QDate day; // UTC
    QString annotator;
    int labels = 0;
};

// One annotator's quality in one week: gold answers, and Cohen's kappa between their labels
// and what the reviewers let stand (approved as they were, or corrected; rejections carry no
// reviewer's answer and are left out).
struct WeeklyQuality
{
    QDate week; // its Monday (UTC)
    QString annotator;
    int goldAnswered = 0;
    int goldRight = 0;
    double goldAccuracy = -1; // -1: no gold item answered that week
    int reviewed = 0;
    std::optional<double> kappa; // none without a reviewed label that week
};

// A model trained on a dataset version, and its accuracy on that version's held-out split.
struct VersionAccuracy
{
    qint64 modelId = 0;
    QString datasetTag;
    int images = 0; // in the version
    double heldOutAccuracy = 0;
    QDateTime createdAt;
};

// The endpoint's service level over the span: availability against the 99.99% objective and
// the share of the error budget left (negative once overspent), from the per-minute counts the
// endpoint keeps in the workspace.
struct ServingSloSummary
{
    static constexpr double AvailabilityObjective = slo::AvailabilityObjective;
    static constexpr double ErrorBudget = slo::ErrorBudget;

    qint64 requests = 0;
    qint64 bad = 0;
    std::optional<double> availability; // none without traffic
    double budgetLeft = 1;
};

// What the manager sees of the team and the models over a span of days.
struct OverviewFigures
{
    QDate firstDay; // UTC days the per-day and weekly figures cover, both included
    QDate lastDay;
    QDateTime readAt;
    std::vector<DailyLabels> labelsPerDay; // days with labels only, by day then annotator
    std::vector<WeeklyQuality> quality;    // by week then annotator
    // As they are at readAt, whatever the span.
    int queueDepth = 0;
    qint64 oldestItemAgeSeconds = -1; // -1: the queue is empty
    int reviewBacklog = 0;
    std::vector<qint64> releasesWaiting; // models pending validation, newest first
    std::vector<VersionAccuracy> models; // trained on a version, oldest first
    ServingSloSummary slo;
    int dailyTarget = 0;

    QStringList annotators() const; // who labelled in the span, sorted
    int labelsOn(const QDate &day, const QString &annotator) const;
    int totalLabels() const;
};

// The settings a manager may change from the Overview.
struct TeamTargets
{
    int dailyTarget = 0;
    int leaseSeconds = 0;
    double highConfidenceShare = 0;
    double goldShare = 0;
    int overlap = 1;
};

// The manager's figures of the team and the models (ViewOverview), and the targets and queue
// settings they may set (SetTeamTargets). Days are UTC days, as the database keeps time.
class TeamOverview final
{
public:
    using Clock = std::function<QDateTime()>;
    static constexpr int Days = 30;

    explicit TeamOverview(const QSqlDatabase &db, Clock clock = {});

    // The last 30 days, today included.
    OverviewFigures lastDays(const Principal &who) const;
    // One calendar month (UTC), for the export. Throws InvalidRequest for a month that has not
    // begun.
    OverviewFigures month(const Principal &who, int year, int month) const;

    TeamTargets targets(const Principal &who) const;
    // Checks every value against its range (InvalidRequest naming the setting and the range)
    // before it writes any; each change is audited.
    void setTargets(const Principal &who, const TeamTargets &targets);

private:
    QDateTime now() const;
    OverviewFigures figures(const Principal &who, const QDate &firstDay,
                            const QDate &lastDay) const;

    QSqlDatabase m_db;
    AccessControl m_access;
    Clock m_clock;
};

} // namespace digitdesk::annotation
