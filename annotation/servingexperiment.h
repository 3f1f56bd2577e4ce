#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

// Workspace settings of the endpoint's experiments with a second model, read by every running
// endpoint within a second of a change.
inline constexpr const char *ShadowShareSetting = "serving.shadow_share";
inline constexpr const char *CanaryShareSetting = "serving.canary_share";
inline constexpr const char *CanaryWindowSetting = "serving.canary_window_s";
inline constexpr const char *CanaryErrorMarginSetting = "serving.canary_error_margin";
inline constexpr const char *CanaryLatencyMarginSetting = "serving.canary_latency_margin";
inline constexpr const char *CanaryMinRequestsSetting = "serving.canary_min_requests";
inline constexpr const char *CanaryStoppedSetting = "serving.canary_stopped";
inline constexpr const char *PinnedVersionsSetting = "serving.pinned_versions";
inline constexpr const char *MaxVersionsSetting = "serving.max_versions";

struct ExperimentSettings
{
    // Of production's answers, the share also sent to the candidate, whose answers are only
    // compared and never returned.
    double shadowShare = 0;
    // Of unversioned requests, the share the candidate answers for real.
    double canaryShare = 0;
    int canaryWindowSeconds = 120;
    // The canary stops when its error rate exceeds production's by more than this (0.02: two
    // points) or its p99 latency production's by more than this fraction (0.5: half as slow
    // again), judged once each side has `canaryMinRequests` requests in the window.
    double canaryErrorMargin = 0.02;
    double canaryLatencyMargin = 0.5;
    int canaryMinRequests = 50;
    std::vector<qint64> pinned; // registry ids loaded besides production and the candidate
    int maxVersions = 4;        // versions loaded at once, production and candidate included

    static ExperimentSettings read(const QSqlDatabase &db);
};

// Why the endpoint stopped the last canary by itself.
struct CanaryStop
{
    qint64 candidateId = 0;
    QString reason;
    QDateTime at;
};

// Shadow and canary shares and pinned versions: set by ml_engineer and admin (ControlServing,
// checked here and audited); the canary's stop is recorded by the endpoint and cleared when a
// new canary starts.
class ServingExperiment final
{
public:
    explicit ServingExperiment(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    ExperimentSettings settings() const;
    std::optional<CanaryStop> lastCanaryStop() const;

    // Shares from 0 to 1; refused with the reason otherwise.
    void setShadowShare(const Principal &who, double share);
    void setCanaryShare(const Principal &who, double share);
    void pin(const Principal &who, qint64 modelId);
    void unpin(const Principal &who, qint64 modelId);

    // The endpoint's own decision, audited under its name: share 0 and the reason kept.
    static void recordCanaryStop(const QSqlDatabase &db, qint64 candidateId, const QString &reason);
    // Called inside the transaction that moves production: the canary ends with it.
    static void endCanaryOnPromotion(const QSqlDatabase &db, qint64 promotedId);

private:
    void setShare(const Principal &who, const char *key, double share, const QString &what);
    void savePinned(const Principal &who, const std::vector<qint64> &pinned, const QString &detail);

    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
