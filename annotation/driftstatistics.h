#pragma once

#include <QtGlobal>

#include <span>

namespace digitdesk::annotation {

// The share a class with no count at all is given when PSI takes its logarithm.
inline constexpr double PsiEpsilon = 1e-4;

// Population stability index of `actual` against `expected` (counts per class, the same
// number of classes): the sum over classes of (a - e) * ln(a / e), a and e being shares, each
// at least `epsilon`. 0 when the distributions are the same; the usual reading is under 0.1
// stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one. Throws std::invalid_argument
// when the sizes differ or either has no counts.
double populationStabilityIndex(std::span<const qint64> expected, std::span<const qint64> actual,
                                double epsilon = PsiEpsilon);

struct ChiSquareTest
{
    double statistic = 0;
    int degreesOfFreedom = 0;
    double pValue = 1; // P(X >= statistic) for X chi-square with that many degrees of freedom
};

// Pearson's goodness of fit of `observed` counts to the shares of `expected` counts: the sum of
// (o - E)^2 / E with E = total observed * expected share. Classes the expected distribution
// never has are left out, unless one was observed: then the statistic is infinite and p is 0.
// Degrees of freedom: classes taken, minus one. With many thousand answers even a shift too
// small to matter is "significant": read p beside PSI, which measures the size of the shift.
// Throws std::invalid_argument when the sizes differ or either has no counts.
ChiSquareTest chiSquareGoodnessOfFit(std::span<const qint64> observed,
                                     std::span<const qint64> expected);

// P(X >= x) for X chi-square with `degreesOfFreedom`: Q(k/2, x/2).
double chiSquareUpperTail(double x, int degreesOfFreedom);

// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and
// x >= 0: a series below x = a + 1, a continued fraction (modified Lentz) above, each to
// double precision (Numerical Recipes, 6.2).
double regularizedUpperGamma(double a, double x);

} // namespace digitdesk::annotation
