#pragma once

#include "annotation/labeldrift.h"

#include <QJsonObject>
#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct SuspectedLabelError
{
    QString sha256;
    int givenLabel = 0;
    int suspectedLabel = 0;
    double confidence = 0;       // out-of-fold probability of the suspected label
    double givenProbability = 0; // and of the given one
};

struct DuplicatePair
{
    QString first;
    QString second;
    int firstLabel = 0;
    int secondLabel = 0;
    double distance = 0;  // nearDuplicateDistance()
    bool leakage = false; // one is in the trainer's training split, the other held out
};

struct OutlierImage
{
    QString sha256;
    int label = 0;
    // Distance to the nearest class centre in the embedding over that class's radius (the 99th
    // percentile of its own training images' distances): above 1 for every class is "far".
    double classDistance = 0;
    double oodScore = 0; // energy (models/oodscore.h)
    bool farFromClasses = false;
    bool ood = false; // the score is over its fold model's threshold
};

// What `dataset check` found in a version: stored as JSON with the check, shown by the CLI and
// the Checks tab.
struct DataCheckReport
{
    QString tag;
    QString commitId;
    int images = 0;    // digits checked
    int notADigit = 0; // "not a digit" rows, left out of every check but the counts
    int folds = 0;
    int epochs = 0;
    double seconds = 0;
    double outOfFoldAccuracy = 0;
    std::array<double, models::ClassCount> thresholds{};
    std::vector<SuspectedLabelError> suspects; // most likely error first
    std::vector<DuplicatePair> nearDuplicates;
    int heldOut = 0;        // images the trainer's split holds out
    int leakingHeldOut = 0; // of them, with a near-duplicate in its training split
    ClassCounts counts{};
    std::optional<LabelDrift> previous; // against the version before
    std::optional<LabelDrift> served;   // against the production model's answers
    std::vector<OutlierImage> outliers; // strangest first, at most MaxOutliersListed
    int oodCount = 0;
    int farCount = 0;

    static constexpr int MaxOutliersListed = 100;

    double suspectedShare() const { return images > 0 ? double(suspects.size()) / images : 0; }
    double leakageShare() const { return heldOut > 0 ? double(leakingHeldOut) / heldOut : 0; }
    QJsonObject toJson() const;
    static DataCheckReport fromJson(const QJsonObject &json);
};

} // namespace digitdesk::annotation
