#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/driftstatistics.h"
#include "annotation/principal.h"
#include "storage/servingpredictionrepository.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

// Workspace settings of drift monitoring, and their defaults.
inline constexpr const char *PsiThresholdSetting = "drift.psi_threshold";
inline constexpr const char *OodShareThresholdSetting = "drift.ood_share_threshold";
inline constexpr double DefaultPsiThreshold = 0.2;
// The demo model flags 4 to 7% of held-out digits and 44 to 58% of Fashion-MNIST (models/
// oodscore.h); three times the expected 5% is a shift, not the noise of a small window.
inline constexpr double DefaultOodShareThreshold = 0.15;
// The endpoint's capture threshold (app/serve/servingsettings.h), read here as a setting.
inline constexpr const char *LowConfidenceSetting = "serving.capture_threshold";
inline constexpr double DefaultLowConfidence = 0.6;

// The out-of-distribution threshold a model's metrics JSON records ({"ood": {"score":
// "energy", "threshold": x}}); none when it has none (imported, or trained before DigitDesk
// computed one).
std::optional<double> oodThresholdFromMetrics(const QString &metricsJson);

// One stretch of time in a drift report.
struct DriftBucket
{
    QDateTime start; // UTC
    qint64 answers = 0;
    qint64 lowConfidence = 0;
    qint64 ood = 0;
    double lowConfidenceRate() const { return answers > 0 ? double(lowConfidence) / answers : 0; }
    double oodShare() const { return answers > 0 ? double(ood) / answers : 0; }
};

// A figure compared with its threshold. `value` is empty when it cannot be computed, and
// `unknownBecause` says why; `crossed` is set only with enough answers to judge.
struct DriftCheck
{
    std::optional<double> value;
    double threshold = 0;
    bool crossed = false;
    QString unknownBecause;
};

// What the production model answered over a window, beside what it learnt from.
struct DriftReport
{
    QDateTime since; // UTC; the minutes that overlap [since, until] are counted
    QDateTime until;
    qint64 modelId = 0;                 // the production model; 0 when there is none
    qint64 answers = 0;                 // images it answered in the window
    qint64 otherModelAnswers = 0;       // answered by other models in the window, left out
    std::optional<double> oodThreshold; // the model's; none: it flags nothing

    std::array<qint64, storage::ServedClasses> served{};   // answers per predicted class
    std::array<qint64, storage::ServedClasses> training{}; // training images per class
    QString trainingVersion; // "v3"; empty when the training distribution is unknown
    QString trainingCommit;
    std::optional<ChiSquareTest> chiSquare;

    std::array<qint64, storage::ConfidenceBins> confidenceHistogram{};
    double lowConfidenceBelow = DefaultLowConfidence; // the capture threshold, to a bin's edge
    qint64 lowConfidence = 0;
    qint64 ood = 0;

    int bucketMinutes = 1;
    std::vector<DriftBucket> overTime; // every bucket of the window, oldest first

    DriftCheck psi;      // of the served classes against the training classes
    DriftCheck oodShare; // answers flagged out of distribution, of all answers
    bool enoughAnswers = false;

    double lowConfidenceRate() const { return answers > 0 ? double(lowConfidence) / answers : 0; }
    // One sentence per threshold crossed, for people.
    QStringList alerts() const;
};

// Drift and out-of-distribution monitoring over the endpoint's per-minute counts
// (storage::ServingPredictionRepository), for the GUI, the command line and /metrics. Needs
// the view-monitoring right (ml_engineer, admin).
class DriftMonitor final
{
public:
    // Fewer answers than this in a window are not enough to call a threshold crossed.
    static constexpr qint64 MinimumAnswers = 100;
    // A window is cut into at most about this many buckets (of whole minutes).
    static constexpr int TargetBuckets = 60;
    // Asked-for buckets are widened so that a window has no more than this many.
    static constexpr int MostBuckets = 1440;

    explicit DriftMonitor(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    // `bucketMinutes` 0: chosen from the window's length. Throws InvalidRequest when `until` is
    // not after `since`.
    DriftReport report(const Principal &who, const QDateTime &since,
                       const QDateTime &until = QDateTime::currentDateTimeUtc(),
                       int bucketMinutes = 0) const;

private:
    void readTraining(DriftReport &report, const QString &datasetCommit) const;
    double setting(const char *key, double fallback) const;

    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
