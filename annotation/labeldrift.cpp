#include "annotation/labeldrift.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace digitdesk::annotation {

double LabelDrift::largestChange() const
{
    double largest = 0;
    for (double change : shareChange) {
        largest = std::max(largest, std::abs(change));
    }
    return largest;
}

LabelDrift compareLabels(const QString &against, const ClassCounts &current,
                         const ClassCounts &reference)
{
    LabelDrift drift;
    drift.against = against;
    drift.current = current;
    drift.reference = reference;
    drift.chiSquare = chiSquareGoodnessOfFit(current, reference);
    drift.psi = populationStabilityIndex(reference, current);
    const double currentTotal = double(std::accumulate(current.begin(), current.end(), qint64{0}));
    const double referenceTotal =
        double(std::accumulate(reference.begin(), reference.end(), qint64{0}));
    for (int label = 0; label < models::ClassCount; ++label) {
        drift.shareChange[label] =
            double(current[label]) / currentTotal - double(reference[label]) / referenceTotal;
    }
    return drift;
}

double imbalanceRatio(const ClassCounts &counts)
{
    const auto [smallest, largest] = std::minmax_element(counts.begin(), counts.end());
    if (*largest == 0) {
        return 0;
    }
    if (*smallest == 0) {
        return std::numeric_limits<double>::infinity();
    }
    return double(*largest) / double(*smallest);
}

} // namespace digitdesk::annotation
