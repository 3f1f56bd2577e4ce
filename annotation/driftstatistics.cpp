#include "annotation/driftstatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace digitdesk::annotation {
namespace {

constexpr int MaxIterations = 1000;
constexpr double Precision = 1e-15;

double totalOf(std::span<const qint64> counts, const char *which)
{
    const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), 0LL));
    if (!(total > 0)) {
        throw std::invalid_argument(std::string("the ") + which + " distribution has no counts");
    }
    return total;
}

void requireSameSize(std::span<const qint64> first, std::span<const qint64> second)
{
    if (first.size() != second.size() || first.empty()) {
        throw std::invalid_argument("the two distributions must have the same classes (" +
                                    std::to_string(first.size()) + " and " +
                                    std::to_string(second.size()) + " given)");
    }
}

// P(a, x) by its power series; converges quickly for x < a + 1.
double lowerSeries(double a, double x)
{
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < MaxIterations; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::abs(term) < std::abs(sum) * Precision) {
            break;
        }
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x) by its continued fraction; converges quickly for x >= a + 1.
double upperFraction(double a, double x)
{
    constexpr double Tiny = std::numeric_limits<double>::min() / Precision;
    double b = x + 1.0 - a;
    double c = 1.0 / Tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < MaxIterations; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        d = std::abs(d) < Tiny ? Tiny : d;
        c = b + an / c;
        c = std::abs(c) < Tiny ? Tiny : c;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1.0) < Precision) {
            break;
        }
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

} // namespace

double populationStabilityIndex(std::span<const qint64> expected, std::span<const qint64> actual,
                                double epsilon)
{
    requireSameSize(expected, actual);
    const double expectedTotal = totalOf(expected, "expected");
    const double actualTotal = totalOf(actual, "actual");
    double psi = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const double e = std::max(static_cast<double>(expected[i]) / expectedTotal, epsilon);
        const double a = std::max(static_cast<double>(actual[i]) / actualTotal, epsilon);
        psi += (a - e) * std::log(a / e);
    }
    return psi;
}

ChiSquareTest chiSquareGoodnessOfFit(std::span<const qint64> observed,
                                     std::span<const qint64> expected)
{
    requireSameSize(observed, expected);
    const double expectedTotal = totalOf(expected, "expected");
    const double observedTotal = totalOf(observed, "observed");
    ChiSquareTest test;
    int classes = 0;
    for (size_t i = 0; i < observed.size(); ++i) {
        const double e = observedTotal * static_cast<double>(expected[i]) / expectedTotal;
        const double o = static_cast<double>(observed[i]);
        if (expected[i] == 0) {
            if (observed[i] > 0) {
                test.statistic = std::numeric_limits<double>::infinity();
            }
            continue;
        }
        ++classes;
        if (std::isfinite(test.statistic)) {
            test.statistic += (o - e) * (o - e) / e;
        }
    }
    test.degreesOfFreedom = std::max(0, classes - 1);
    if (!std::isfinite(test.statistic)) {
        test.pValue = 0;
    } else if (test.degreesOfFreedom > 0) {
        test.pValue = chiSquareUpperTail(test.statistic, test.degreesOfFreedom);
    }
    return test;
}

double chiSquareUpperTail(double x, int degreesOfFreedom)
{
    if (degreesOfFreedom < 1) {
        throw std::invalid_argument("a chi-square distribution needs at least one degree of "
                                    "freedom");
    }
    return regularizedUpperGamma(degreesOfFreedom / 2.0, std::max(0.0, x) / 2.0);
}

double regularizedUpperGamma(double a, double x)
{
    if (!(a > 0) || !(x >= 0)) {
        throw std::invalid_argument("Q(a, x) needs a > 0 and x >= 0");
    }
    if (x == 0) {
        return 1.0;
    }
    if (std::isinf(x)) {
        return 0.0;
    }
    return x < a + 1.0 ? 1.0 - lowerSeries(a, x) : upperFraction(a, x);
}

} // namespace digitdesk::annotation
