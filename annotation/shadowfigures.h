#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "annotation/servingexperiment.h"
#include "storage/shadowrepository.h"

#include <QByteArray>
#include <QDateTime>
#include <QSqlDatabase>

#include <array>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct ShownDisagreement
{
    storage::ModelDisagreement disagreement;
    QByteArray pixels; // 28x28
};

// Production and the candidate side by side on the endpoint's shadow traffic over a span.
struct ShadowFigures
{
    std::optional<storage::ShadowPair> pair; // none: nothing was shadowed in the span
    qint64 bucketMinutes = 1;
    std::vector<storage::ShadowBucket> buckets;
    std::array<std::array<qint64, 10>, 10> confusion{}; // row: production, column: candidate
    qint64 compared = 0;
    qint64 agreed = 0;
    std::vector<ShownDisagreement> latest; // newest first
    std::optional<double> agreementRate() const
    {
        return compared > 0 ? std::optional<double>(static_cast<double>(agreed) / compared)
                            : std::nullopt;
    }
};

// The experiments as configured now, and how the last canary ended.
struct ExperimentStatus
{
    ExperimentSettings settings;
    std::optional<CanaryStop> lastCanaryStop;
    std::optional<qint64> production;
    std::optional<qint64> candidate;
};

// What the Monitoring view shows of shadow traffic (ViewMonitoring, checked here).
class ShadowMonitor final
{
public:
    explicit ShadowMonitor(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    ShadowFigures report(const Principal &who, const QDateTime &from, const QDateTime &to,
                         int latestCount = 24) const;
    ExperimentStatus status(const Principal &who) const;

private:
    QSqlDatabase m_db;
    AccessControl m_access;
};

// "production (model 3) said 7 at 98%, candidate (model 5) said 1 at 91%"
QString describeDisagreement(const storage::ModelDisagreement &disagreement);

} // namespace digitdesk::annotation
