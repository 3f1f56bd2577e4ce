#include "annotation/comparisonfigures.h"
#include "annotation/statistics.h"
#include "tests/support/testdata.h"

#include <QTest>

#include <cmath>
#include <stdexcept>

using namespace digitdesk;
using annotation::Answer;

namespace {

// Labels all 0; A answers 0 when right and 1 when wrong, B 0 or 2: the paired table as given.
struct PairedAnswers
{
    annotation::EvaluationSet set;
    std::vector<Answer> a, b;
};

PairedAnswers paired(int bothRight, int onlyA, int onlyB, int bothWrong)
{
    PairedAnswers answers;
    answers.set.name = QStringLiteral("fixture");
    const auto add = [&](int count, bool aRight, bool bRight) {
        for (int i = 0; i < count; ++i) {
            answers.set.labels.push_back(0);
            answers.a.push_back({aRight ? 0 : 1, 0.9});
            answers.b.push_back({bRight ? 0 : 2, 0.9});
        }
    };
    add(bothRight, true, true);
    add(onlyA, true, false);
    add(onlyB, false, true);
    add(bothWrong, false, false);
    return answers;
}

} // namespace

// The statistics of a comparison, over fixed answers: no model, no workspace.
class tst_ComparisonFigures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wilsonInterval_data();
    void wilsonInterval();
    void mcNemar_data();
    void mcNemar();
    void figuresOfFixedAnswers();
    void verdicts_data();
    void verdicts();
};

void tst_ComparisonFigures::wilsonInterval_data()
{
    QTest::addColumn<int>("successes");
    QTest::addColumn<int>("trials");
    QTest::addColumn<double>("lower");
    QTest::addColumn<double>("upper");
    // Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
    // methods", Statistics in Medicine 17 (1998) 857-872, Table II, method 3 (Wilson score
    // without continuity correction), to four decimals.
    QTest::newRow("81/263") << 81 << 263 << 0.2553 << 0.3662;
    QTest::newRow("15/148") << 15 << 148 << 0.0624 << 0.1605;
    QTest::newRow("0/20") << 0 << 20 << 0.0 << 0.1611;
    QTest::newRow("1/29") << 1 << 29 << 0.0061 << 0.1718;
}

void tst_ComparisonFigures::wilsonInterval()
{
    QFETCH(int, successes);
    QFETCH(int, trials);
    QFETCH(double, lower);
    QFETCH(double, upper);
    const annotation::Interval interval = annotation::wilsonInterval(successes, trials);
    QVERIFY2(std::abs(interval.lower - lower) < 5e-5, qPrintable(QString::number(interval.lower)));
    QVERIFY2(std::abs(interval.upper - upper) < 5e-5, qPrintable(QString::number(interval.upper)));
}

void tst_ComparisonFigures::mcNemar_data()
{
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("c");
    QTest::addColumn<bool>("exact");
    QTest::addColumn<double>("statistic");
    QTest::addColumn<double>("pValue");
    QTest::addColumn<double>("tolerance");
    // Armitage and Berry, Statistical Methods in Medical Research (1994) p. 127, two culture
    // media on 50 sputum specimens, as worked by StatsDirect's "McNemar" help page: exact
    // two-sided P = 0.0129 (here 2 * 106 / 2^14 exactly).
    QTest::newRow("Armitage-Berry 12/2") << 12 << 2 << true << 0.0 << 0.012939453125 << 1e-12;
    // Wikipedia's "McNemar's test" drug example (b = 121, c = 59), with Yates' correction as
    // Cardillo's MATLAB mcnemar reports it: chi-square 20.672222, p = 0.000005.
    QTest::newRow("Wikipedia 121/59") << 121 << 59 << false << 20.672222 << 5.45e-6 << 1e-8;
    QTest::newRow("Wikipedia 59/121") << 59 << 121 << false << 20.672222 << 5.45e-6 << 1e-8;
    // b + c = 24 is still exact; 25 is not: P(X <= 0 | 24) * 2 and (25 - 1)^2 / 25.
    QTest::newRow("24 discordant") << 24 << 0 << true << 0.0 << std::ldexp(1.0, -23) << 1e-15;
    QTest::newRow("25 discordant") << 25 << 0 << false << 23.04 << 1.5867e-6 << 1e-9;
    QTest::newRow("no discordant pair") << 0 << 0 << true << 0.0 << 1.0 << 0.0;
    QTest::newRow("equal") << 30 << 30 << false << 0.0 << 1.0 << 0.0;
}

void tst_ComparisonFigures::mcNemar()
{
    QFETCH(int, b);
    QFETCH(int, c);
    QFETCH(bool, exact);
    QFETCH(double, statistic);
    QFETCH(double, pValue);
    QFETCH(double, tolerance);
    const annotation::McNemarTest test = annotation::mcNemarTest(b, c);
    QCOMPARE(test.b, b);
    QCOMPARE(test.c, c);
    QCOMPARE(test.exact, exact);
    QVERIFY2(std::abs(test.statistic - statistic) < 1e-6,
             qPrintable(QString::number(test.statistic, 'g', 10)));
    QVERIFY2(std::abs(test.pValue - pValue) <= tolerance,
             qPrintable(QString::number(test.pValue, 'g', 10)));
}

void tst_ComparisonFigures::figuresOfFixedAnswers()
{
    // The chi-square tail on its own: StatsDirect's Yates-corrected 5.785714 gives P = 0.0162.
    QVERIFY(std::abs(annotation::chiSquareOneDofUpperTail(5.785714) - 0.0162) < 5e-5);

    annotation::EvaluationSet set;
    set.name = QStringLiteral("fixture");
    set.labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3};
    for (int i = 0; i < 12; ++i) {
        set.pixels.insert(set.pixels.end(), 784, static_cast<uint8_t>(i));
        set.sha256s.push_back(QStringLiteral("sha%1").arg(i));
        set.imageIds.push_back(100 + i);
    }
    const std::vector<Answer> a = {{0, .95}, {1, .85}, {2, .75}, {3, .65}, {9, .55}, {5, .99},
                                   {6, .45}, {1, .35}, {8, .91}, {4, .30}, {3, .80}, {3, .15}};
    const std::vector<Answer> b = {{0, .90}, {7, .60}, {2, .55}, {5, .45}, {4, .95}, {5, 1.0},
                                   {0, .35}, {1, .25}, {8, .88}, {7, .50}, {3, .70}, {8, .15}};
    const annotation::SetComparison comparison = annotation::compareAnswers(set, a, b);
    QCOMPARE(comparison.count, 12);
    QCOMPARE(comparison.a.correct, 9);
    QCOMPARE(comparison.a.accuracy, 0.75);
    QCOMPARE(comparison.b.correct, 6);
    const annotation::Interval interval = annotation::wilsonInterval(9, 12);
    QCOMPARE(comparison.a.accuracyInterval.lower, interval.lower);
    QCOMPARE(comparison.a.accuracyInterval.upper, interval.upper);
    QCOMPARE(comparison.a.perClass[3].count, 3);
    QCOMPARE(comparison.a.perClass[3].correct, 3);
    QCOMPARE(comparison.b.perClass[3].correct, 1);
    QCOMPARE(comparison.b.perClass[3].recall, 1.0 / 3);
    QCOMPARE(comparison.a.perClass[4].recall, 0.0);
    QCOMPARE(comparison.b.perClass[4].recall, 1.0);
    QCOMPARE(comparison.a.confusion[4][9], 1);
    QCOMPARE(comparison.a.confusion[7][1], 1);
    QCOMPARE(comparison.a.confusion[9][4], 1);
    QCOMPARE(comparison.a.confusion[3][3], 3);
    QCOMPARE(comparison.b.confusion[1][7], 1);

    // Bins of a tenth: A's 0.30 and 0.35 share bin 3 (both wrong), B's 1.0 joins bin 9.
    QCOMPARE(comparison.a.reliability[3].count, 2);
    QVERIFY(std::abs(comparison.a.reliability[3].meanConfidence - 0.325) < 1e-12);
    QCOMPARE(comparison.a.reliability[3].accuracy, 0.0);
    QCOMPARE(comparison.a.reliability[0].count, 0);
    QCOMPARE(comparison.b.reliability[9].count, 3);
    QVERIFY(std::abs(comparison.b.reliability[9].meanConfidence - 0.95) < 1e-12);
    QCOMPARE(comparison.b.reliability[5].accuracy, 0.5);
    // Sum over bins of |accuracy - confidence| weighted by count, worked by hand.
    QVERIFY2(std::abs(comparison.a.ece - 3.7 / 12) < 1e-12,
             qPrintable(QString::number(comparison.a.ece)));
    QVERIFY2(std::abs(comparison.b.ece - 2.42 / 12) < 1e-12,
             qPrintable(QString::number(comparison.b.ece)));

    // Paired: A alone right on 1, 3, 6 and 11, B alone on 4; both right on 5, both wrong on 2.
    QCOMPARE(comparison.mcNemar.b, 4);
    QCOMPARE(comparison.mcNemar.c, 1);
    QCOMPARE(comparison.bothRight, 5);
    QCOMPARE(comparison.bothWrong, 2);
    QVERIFY(comparison.mcNemar.exact);
    QCOMPARE(comparison.mcNemar.pValue, 0.375); // 2 * (1 + 5) / 2^5
    QCOMPARE(comparison.verdict,
             QStringLiteral("no significant difference between A and B on the fixture (p = 0.38)"));

    // Disagreements: different answers, right or wrong (7 is both wrong alike: not one).
    QCOMPARE(comparison.disagreementCount, 6);
    std::vector<qint64> ids;
    for (const annotation::Disagreement &d : comparison.disagreements) {
        ids.push_back(d.imageId);
        const int i = static_cast<int>(d.imageId - 100);
        QCOMPARE(d.sha256, QStringLiteral("sha%1").arg(i));
        QCOMPARE(d.pixels, QByteArray(784, static_cast<char>(i)));
        QCOMPARE(d.label, static_cast<int>(set.labels[static_cast<size_t>(i)]));
        QCOMPARE(d.a.label, a[static_cast<size_t>(i)].label);
        QCOMPARE(d.b.confidence, b[static_cast<size_t>(i)].confidence);
    }
    QCOMPARE(ids, (std::vector<qint64>{101, 103, 104, 106, 109, 111}));

    // A cap keeps the first ones and the count of all.
    const annotation::SetComparison capped =
        annotation::compareAnswers(set, a, b, QStringLiteral("A"), QStringLiteral("B"), 4);
    QCOMPARE(capped.disagreementCount, 6);
    QCOMPARE(capped.disagreements.size(), 4u);
    QCOMPARE(capped.disagreements.back().imageId, 106);

    QVERIFY(testing::throws<std::invalid_argument>(
        [&] { annotation::compareAnswers(set, a, std::vector<Answer>(11)); }));
}

void tst_ComparisonFigures::verdicts_data()
{
    QTest::addColumn<int>("bothRight");
    QTest::addColumn<int>("onlyA");
    QTest::addColumn<int>("onlyB");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("A better") << 50 << 12 << 2 << "A is better than B on the fixture (p = 0.013)";
    QTest::newRow("B better") << 50 << 2 << 12 << "B is better than A on the fixture (p = 0.013)";
    QTest::newRow("far apart") << 10 << 121 << 59
                               << "A is better than B on the fixture (p < 0.001)";
    QTest::newRow("too close") << 50 << 12 << 5
                               << "no significant difference between A and B on the fixture "
                                  "(p = 0.14)";
    QTest::newRow("nothing") << 0 << 0 << 0 << "no images to compare on the fixture";
}

void tst_ComparisonFigures::verdicts()
{
    QFETCH(int, bothRight);
    QFETCH(int, onlyA);
    QFETCH(int, onlyB);
    QFETCH(QString, verdict);
    const PairedAnswers answers = paired(bothRight, onlyA, onlyB, 3 * (bothRight > 0));
    QCOMPARE(annotation::compareAnswers(answers.set, answers.a, answers.b).verdict, verdict);
}

QTEST_APPLESS_MAIN(tst_ComparisonFigures)
#include "tst_comparisonfigures.moc"
