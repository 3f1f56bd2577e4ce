#pragma once

#include "annotation/driftstatistics.h"
#include "models/evaluation.h"

#include <QString>

#include <array>

namespace digitdesk::annotation {

using ClassCounts = std::array<qint64, models::ClassCount>;

// A version's labels (digits only) against another distribution of the same classes: an
// earlier version's labels, or what the served model answered.
struct LabelDrift
{
    QString against; // "v3", "served traffic (production model 7, last 7 days)"
    ClassCounts current{};
    ClassCounts reference{};
    // Share of class c in the version minus its share in the reference, in share points (0.01
    // is one percentage point).
    std::array<double, models::ClassCount> shareChange{};
    ChiSquareTest chiSquare; // the version's counts against the reference's shares
    double psi = 0;          // population stability index of the same
    double largestChange() const;
};

// Throws std::invalid_argument when either has no counts.
LabelDrift compareLabels(const QString &against, const ClassCounts &current,
                         const ClassCounts &reference);

// The largest class's count over the smallest's (infinite when a class has none; 0 when
// nothing is counted).
double imbalanceRatio(const ClassCounts &counts);

} // namespace digitdesk::annotation
