#include "annotation/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace digitdesk::annotation {
namespace {

// Below this many discordant pairs the chi-square approximation is too rough: the exact
// binomial test is cheap there.
constexpr int ExactBelow = 25;

} // namespace

Interval wilsonInterval(int successes, int trials, double z)
{
    if (trials <= 0) {
        return {0, 1};
    }
    const double n = trials;
    const double p = successes / n;
    const double z2 = z * z;
    const double denominator = 1 + z2 / n;
    const double centre = (p + z2 / (2 * n)) / denominator;
    const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double exactBinomialTwoSidedP(int b, int c)
{
    const int n = b + c;
    const int k = std::min(b, c);
    // C(n, i) / 2^n term by term, from C(n, 0) / 2^n = 2^-n.
    double term = std::ldexp(1.0, -n);
    double tail = 0;
    for (int i = 0; i <= k; ++i) {
        tail += term;
        term *= static_cast<double>(n - i) / (i + 1);
    }
    return std::min(1.0, 2 * tail);
}

double chiSquareOneDofUpperTail(double x)
{
    return x <= 0 ? 1.0 : std::erfc(std::sqrt(x / 2));
}

McNemarTest mcNemarTest(int b, int c)
{
    McNemarTest test;
    test.b = b;
    test.c = c;
    if (b + c < ExactBelow) {
        test.exact = true;
        test.pValue = exactBinomialTwoSidedP(b, c);
        return test;
    }
    const double corrected = std::max(0, std::abs(b - c) - 1);
    test.statistic = corrected * corrected / (b + c);
    test.pValue = chiSquareOneDofUpperTail(test.statistic);
    return test;
}

} // namespace digitdesk::annotation
