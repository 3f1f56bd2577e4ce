#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace digitdesk::storage {

// How many shadowed images of one minute production answered one label and the candidate
// another, with the sums of both models' confidences.
struct ShadowAgreementCount
{
    qint64 minute = 0; // since the Unix epoch, UTC
    qint64 productionModelId = 0;
    qint64 candidateModelId = 0;
    int productionLabel = 0;
    int candidateLabel = 0;
    qint64 count = 0;
    double productionConfidenceSum = 0;
    double candidateConfidenceSum = 0;
};

// A stretch of minutes from `firstMinute` on.
struct ShadowBucket
{
    qint64 firstMinute = 0;
    qint64 compared = 0;
    qint64 agreed = 0;
};

struct ShadowPair
{
    qint64 productionModelId = 0;
    qint64 candidateModelId = 0;
};

struct ModelDisagreement
{
    qint64 imageId = 0;
    qint64 productionModelId = 0;
    qint64 candidateModelId = 0;
    int productionLabel = 0;
    double productionConfidence = 0;
    int candidateLabel = 0;
    double candidateConfidence = 0;
    QDateTime createdAt;
};

// The endpoint's shadow traffic: per-minute agreement between production and the candidate,
// and the images they disagreed on (one row per image, ever).
class ShadowRepository final
{
public:
    explicit ShadowRepository(const QSqlDatabase &db) : m_db(db) {}

    // Adds the counts to their rows (several endpoints on one workspace add up).
    void add(const std::vector<ShadowAgreementCount> &counts);
    // The pair of models compared most recently in the span; nullopt when none was.
    std::optional<ShadowPair> latestPair(qint64 firstMinute, qint64 lastMinute) const;
    // The pair's agreement in buckets of `bucketMinutes`, oldest first; empty buckets left out.
    std::vector<ShadowBucket> buckets(const ShadowPair &pair, qint64 firstMinute, qint64 lastMinute,
                                      qint64 bucketMinutes) const;
    // Row: production's label, column: the candidate's, over the span.
    std::array<std::array<qint64, 10>, 10> confusion(const ShadowPair &pair, qint64 firstMinute,
                                                     qint64 lastMinute) const;

    // Records the disagreement unless its image has one already; returns whether it was new.
    // A new one puts its image, if still incoming, at the front of the annotation queue.
    bool recordDisagreement(const ModelDisagreement &disagreement);
    std::optional<ModelDisagreement> disagreementOn(qint64 imageId) const;
    // Newest first.
    std::vector<ModelDisagreement> latestDisagreements(const ShadowPair &pair, int limit) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
