// The statistics of drift monitoring on distributions worked out by hand, and the chi-square
// upper tail against the printed table.
#include "annotation/driftstatistics.h"
#include "tests/support/testdata.h"

#include <QTest>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace digitdesk;

namespace {

std::vector<qint64> countsOf(std::initializer_list<qint64> counts)
{
    return counts;
}

} // namespace

class tst_DriftStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void psiOnKnownDistributions_data();
    void psiOnKnownDistributions();
    void chiSquareAgreesWithTheTable_data();
    void chiSquareAgreesWithTheTable();
    void chiSquareGoodnessOfFitByHand();
    void incompleteGammaIdentities();
};

void tst_DriftStatistics::psiOnKnownDistributions_data()
{
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addColumn<QList<qint64>>("actual");
    QTest::addColumn<double>("psi");
    QTest::newRow("same shares, other totals")
        << QList<qint64>{10, 20, 70} << QList<qint64>{100, 200, 700} << 0.0;
    // (0.4 - 0.5) ln(0.8) + (0.6 - 0.5) ln(1.2) = 0.0223144 + 0.0182322
    QTest::newRow("50:50 to 40:60")
        << QList<qint64>{50, 50} << QList<qint64>{40, 60} << 0.0405465108108164;
    // Empty bin of the expected side at epsilon 1e-4:
    // 0 + (0.25 - 0.5) ln(0.5) + (0.25 - 1e-4) ln(0.25 / 1e-4) = 0.1732868 + 1.9552291
    QTest::newRow("a class never trained on")
        << QList<qint64>{1, 1, 0} << QList<qint64>{2, 1, 1} << 2.1285158932529735;
    // Uniform training; served 15%, 5% and 10% for the other eight:
    // (0.05) ln(1.5) + (-0.05) ln(0.5) = 0.0202733 + 0.0346574
    QTest::newRow("ten digits") << QList<qint64>{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}
                                << QList<qint64>{30, 10, 20, 20, 20, 20, 20, 20, 20, 20}
                                << 0.0549306144334055;
}

void tst_DriftStatistics::psiOnKnownDistributions()
{
    QFETCH(QList<qint64>, expected);
    QFETCH(QList<qint64>, actual);
    QFETCH(double, psi);
    const std::vector<qint64> e(expected.begin(), expected.end());
    const std::vector<qint64> a(actual.begin(), actual.end());
    QVERIFY(std::abs(annotation::populationStabilityIndex(e, a) - psi) < 1e-9);
    // Symmetric in the two distributions (both terms change sign).
    QVERIFY(std::abs(annotation::populationStabilityIndex(a, e) - psi) < 1e-9);
}

void tst_DriftStatistics::chiSquareAgreesWithTheTable_data()
{
    QTest::addColumn<double>("x");
    QTest::addColumn<int>("degreesOfFreedom");
    QTest::addColumn<double>("p");
    // Critical values of the chi-square table (upper tail 0.05 and 0.01), to three decimals.
    QTest::newRow("1 dof, 5%") << 3.841 << 1 << 0.05;
    QTest::newRow("2 dof, 5%") << 5.991 << 2 << 0.05;
    QTest::newRow("5 dof, 5%") << 11.070 << 5 << 0.05;
    QTest::newRow("9 dof, 5%") << 16.919 << 9 << 0.05;
    QTest::newRow("9 dof, 1%") << 21.666 << 9 << 0.01;
    QTest::newRow("100 dof, 5%") << 124.342 << 100 << 0.05;
}

void tst_DriftStatistics::chiSquareAgreesWithTheTable()
{
    QFETCH(double, x);
    QFETCH(int, degreesOfFreedom);
    QFETCH(double, p);
    const double upper = annotation::chiSquareUpperTail(x, degreesOfFreedom);
    QVERIFY2(std::abs(upper - p) < 1e-4, qPrintable(QString::number(upper, 'g', 10)));
}

void tst_DriftStatistics::chiSquareGoodnessOfFitByHand()
{
    // A die thrown 60 times: 5, 8, 9, 8, 10, 20 against 10 each.
    // (25 + 4 + 1 + 4 + 0 + 100) / 10 = 13.4 on 5 degrees of freedom; the table puts it between
    // 11.070 (5%) and 15.086 (1%): p = 0.0199.
    const std::vector<qint64> die{5, 8, 9, 8, 10, 20};
    const annotation::ChiSquareTest test =
        annotation::chiSquareGoodnessOfFit(die, std::vector<qint64>(6, 1));
    QVERIFY(std::abs(test.statistic - 13.4) < 1e-9);
    QCOMPARE(test.degreesOfFreedom, 5);
    QVERIFY2(std::abs(test.pValue - 0.0199052) < 1e-6, qPrintable(QString::number(test.pValue)));

    // A class the expected side never has: left out when nobody is in it, else p is 0.
    const annotation::ChiSquareTest leftOut =
        annotation::chiSquareGoodnessOfFit(countsOf({6, 4, 0}), countsOf({1, 1, 0}));
    QCOMPARE(leftOut.degreesOfFreedom, 1);
    QVERIFY(std::abs(leftOut.statistic - 0.4) < 1e-12); // (1 + 1) / 5
    const annotation::ChiSquareTest impossible =
        annotation::chiSquareGoodnessOfFit(countsOf({6, 4, 1}), countsOf({1, 1, 0}));
    QVERIFY(std::isinf(impossible.statistic));
    QCOMPARE(impossible.pValue, 0.0);

    QVERIFY(testing::throws<std::invalid_argument>([] {
        annotation::chiSquareGoodnessOfFit(countsOf({0, 0}), countsOf({1, 1}));
    }));
    QVERIFY(testing::throws<std::invalid_argument>([] {
        annotation::populationStabilityIndex(countsOf({1, 1}), countsOf({1, 1, 1}));
    }));
}

void tst_DriftStatistics::incompleteGammaIdentities()
{
    // Q(1, x) = exp(-x); Q(1/2, x) = erfc(sqrt(x)); both sides of the series/fraction switch.
    for (const double x : {0.0, 0.1, 1.0, 1.9, 2.1, 7.5, 30.0}) {
        QVERIFY(std::abs(annotation::regularizedUpperGamma(1.0, x) - std::exp(-x)) < 1e-13);
        QVERIFY(std::abs(annotation::regularizedUpperGamma(0.5, x) - std::erfc(std::sqrt(x))) <
                1e-13);
    }
    // Q(a, x) + P(a, x) = 1 and P(3, x) = 1 - e^-x (1 + x + x^2 / 2).
    const double x = 2.5;
    QVERIFY(std::abs(annotation::regularizedUpperGamma(3.0, x) -
                     std::exp(-x) * (1 + x + x * x / 2)) < 1e-13);
}

QTEST_APPLESS_MAIN(tst_DriftStatistics)
#include "tst_driftstatistics.moc"
