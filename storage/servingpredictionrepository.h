#pragma once

#include <QSqlDatabase>

#include <array>
#include <vector>

namespace digitdesk::storage {

inline constexpr int ServedClasses = 10;
inline constexpr int ConfidenceBins = 20; // bin b holds calibrated confidences in [b/20, (b+1)/20)

// How many answers of one model, in one minute since the Unix epoch (UTC), had one label, one
// confidence bin and one out-of-distribution flag.
struct ServingPredictionCount
{
    qint64 minute = 0;
    qint64 modelId = 0;
    int label = 0;
    int confidenceBin = 0;
    bool ood = false;
    qint64 count = 0;
};

// Everything a model answered over a span, folded.
struct ServedTotals
{
    qint64 answers = 0;
    qint64 ood = 0;
    std::array<qint64, ServedClasses> byLabel{};
    std::array<qint64, ConfidenceBins> byConfidenceBin{};
};

// A stretch of `bucketMinutes` minutes from `firstMinute` on.
struct ServedBucket
{
    qint64 firstMinute = 0;
    qint64 answers = 0;
    qint64 lowConfidence = 0; // in a confidence bin below the one asked for
    qint64 ood = 0;
};

// The endpoint's answers by class, confidence and out-of-distribution flag, per minute: what
// drift monitoring compares with the training data. The endpoint adds; nothing rewrites.
class ServingPredictionRepository final
{
public:
    explicit ServingPredictionRepository(const QSqlDatabase &db) : m_db(db) {}

    // Adds the counts to their rows (several endpoints on one workspace add up).
    void add(const std::vector<ServingPredictionCount> &counts);
    // Minutes from `firstMinute` to `lastMinute`, both included.
    ServedTotals totals(qint64 modelId, qint64 firstMinute, qint64 lastMinute) const;
    // The same span in buckets, oldest first; buckets without answers are left out.
    std::vector<ServedBucket> buckets(qint64 modelId, qint64 firstMinute, qint64 lastMinute,
                                      qint64 bucketMinutes, int lowBelowBin) const;
    // Answers per model over the span: {model id, answers}, by model id.
    std::vector<std::pair<qint64, qint64>> answersByModel(qint64 firstMinute,
                                                          qint64 lastMinute) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
