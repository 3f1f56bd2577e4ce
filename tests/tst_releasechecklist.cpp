#include "tests/support/releasefixture.h"

using namespace digitdesk;
using annotation::Role;
using testing::runDigitdeskOn;
using namespace digitdesk::testing::release;

// The release checklist: which figures pass, fail or warn, and the settings that move its bars.
class tst_ReleaseChecklist : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checklist_data();
    void checklist();
    void checklistSettings();
};

void tst_ReleaseChecklist::checklist_data()
{
    QTest::addColumn<QList<int>>("correct"); // per digit, of 100; -1: no image of it
    QTest::addColumn<double>("ece");
    QTest::addColumn<QString>("passed"); // accuracy, ECE, class floor: P or F
    QTest::addColumn<QString>("mentions");
    const QList<int> all99(10, 99);
    QTest::newRow("all pass") << all99 << 0.02 << "PPP"
                              << "lowest: 0 at 99.00%";
    QTest::newRow("at the thresholds")
        << QList<int>{90, 100, 100, 100, 100, 100, 100, 90, 90, 100} << 0.05 << "PPP"
        << "97.00% (95% interval";
    QTest::newRow("accuracy low") << QList<int>(10, 96) << 0.02 << "FPP"
                                  << "96.00%";
    QTest::newRow("badly calibrated") << all99 << 0.06 << "PFP"
                                      << "0.060";
    QTest::newRow("one digit under the floor")
        << QList<int>{100, 100, 100, 100, 100, 100, 100, 100, 85, 100} << 0.01 << "PPF"
        << "below the floor: 8 at 85.00%";
    QTest::newRow("a digit never held out")
        << QList<int>{100, 100, 100, 100, 100, -1, 100, 100, 100, 100} << 0.01 << "PPF"
        << "no held-out images of 5";
    QTest::newRow("nothing held out") << QList<int>(10, -1) << 0.0 << "FFF"
                                      << "no held-out images";
}

void tst_ReleaseChecklist::checklist()
{
    QFETCH(QList<int>, correct);
    QFETCH(double, ece);
    QFETCH(QString, passed);
    QFETCH(QString, mentions);
    const std::vector<annotation::ChecklistItem> items =
        annotation::checkRelease(figuresOf(correct, 100, ece), annotation::ChecklistSettings{});
    QCOMPARE(items.size(), 3u);
    QString got;
    QString actual;
    for (const annotation::ChecklistItem &item : items) {
        got += item.passed ? QLatin1Char('P') : QLatin1Char('F');
        actual += item.actual + QLatin1Char('|');
    }
    QCOMPARE(got, passed);
    QVERIFY2(actual.contains(mentions), qPrintable(actual));
    QCOMPARE(items[0].requirement, QStringLiteral("at least 97.00%"));
    QCOMPARE(items[1].requirement, QStringLiteral("at most 0.050"));
    QCOMPARE(items[2].requirement, QStringLiteral("at least 90.00% for each digit"));
}

void tst_ReleaseChecklist::checklistSettings()
{
    Team team;
    const QSqlDatabase db = team.temp.workspace->db();
    annotation::ChecklistSettings settings = annotation::ChecklistSettings::read(db);
    QCOMPARE(settings.minHeldOutAccuracy, 0.97);
    QCOMPARE(settings.maxEce, 0.05);
    QCOMPARE(settings.perClassRecallFloor, 0.90);
    settings.perClassRecallFloor = 0.8;
    settings.write(db, team.quinn);
    QCOMPARE(annotation::ChecklistSettings::read(db).perClassRecallFloor, 0.8);
    QVERIFY(testing::throws<annotation::PermissionDenied>([&] { settings.write(db, team.eve); }));
    settings.maxEce = 1.5;
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] { settings.write(db, team.ada); }));
    QCOMPARE(annotation::ChecklistSettings::read(db).maxEce, 0.05);

    // The trainer's recorded figures, checked without evaluating anything.
    const qint64 model = team.train(team.eve, recordedMetrics());
    const auto figures = annotation::recordedHeldOutFigures(team.registry.find(model));
    QVERIFY(figures);
    QCOMPARE(figures->count, 200);
    QCOMPARE(figures->correct, 197);
    QCOMPARE(figures->perClass[3].recall, 0.85);
    QCOMPARE(figures->confusion[3][5], 3);
    QCOMPARE(figures->ece, 0.021);
    QVERIFY(!annotation::recordedHeldOutFigures(team.registry.find(team.train(team.eve))));
}

QTEST_GUILESS_MAIN(tst_ReleaseChecklist)
#include "tst_releasechecklist.moc"
