#pragma once

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::annotation {

// How much a data check may find in a version before the release checklist and training mark
// it: the workspace's settings, these defaults while they are not set.
struct DataCheckThresholds
{
    static constexpr const char *MaxSuspectedShareSetting = "checks.max_suspected_share";
    static constexpr const char *MaxLeakageSetting = "checks.max_leakage";
    double maxSuspectedShare = 0.03; // suspected label errors over the version's digits
    double maxLeakage = 0.01;        // held-out images with a near-duplicate in training
    // A setting that is missing or not a number from 0 to 1 reads as its default.
    static DataCheckThresholds read(const QSqlDatabase &db);
};

// Where a version stands with the thresholds, by its newest finished check.
struct DataCheckStanding
{
    bool checked = false;
    bool overThreshold = false;
    qint64 checkId = 0;
    double suspectedShare = 0;
    double leakageShare = 0;
    // "v3 was not checked", "v3 is within the data-check thresholds (check 4: ...)", "v3 is
    // over the data-check thresholds (check 4): 4.1% suspected label errors, more than the 3.0%
    // allowed"
    QString summary;
};

DataCheckStanding dataCheckStanding(const QSqlDatabase &db, const QString &tag);

} // namespace digitdesk::annotation
