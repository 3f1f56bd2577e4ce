#pragma once

namespace digitdesk::annotation {

// z of the two-sided 95% level: the 0.975 quantile of the standard normal.
inline constexpr double Z95 = 1.959963984540054;

struct Interval
{
    double lower = 0;
    double upper = 0;
};

// The Wilson score interval of a proportion `successes / trials` (no continuity correction):
// unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n.
// {0, 1} for no trials.
Interval wilsonInterval(int successes, int trials, double z = Z95);

// McNemar's test on paired outcomes: b = only the first is right, c = only the second is.
struct McNemarTest
{
    int b = 0;
    int c = 0;
    bool exact = false;   // exact binomial (b + c < 25), else chi-square with continuity correction
    double statistic = 0; // (|b - c| - 1)^2 / (b + c); 0 when exact
    double pValue = 1;    // two-sided
};

McNemarTest mcNemarTest(int b, int c);
// P(X <= min(b, c)) * 2 for X ~ Binomial(b + c, 1/2), at most 1.
double exactBinomialTwoSidedP(int b, int c);
// P(X >= x) for X chi-square with one degree of freedom.
double chiSquareOneDofUpperTail(double x);

} // namespace digitdesk::annotation
