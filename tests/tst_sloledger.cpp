// SloLedger: requests and bad requests per minute over 30 days, the windows the endpoint
// exports for availability and burn rates, and the same figures after a restart that reloads
// the workspace's history.
#include "annotation/servingmetricnames.h"
#include "app/serve/sloledger.h"
#include "storage/servingminuterepository.h"
#include "tests/support/tempworkspace.h"

#include <QTest>

#include <chrono>

using digitdesk::app::SloLedger;
using digitdesk::storage::ServingMinute;
using namespace std::chrono_literals;
namespace slo = digitdesk::annotation::slo;

namespace {

// A minute boundary, so that offsets below say which minute they fall in.
const SloLedger::Clock::time_point T0{std::chrono::minutes(29'000'000)};

double burnRate(const SloLedger::Window &window)
{
    return window.requests == 0 ? 0
                                : (double(window.bad) / double(window.requests)) / slo::ErrorBudget;
}

// Traffic over 40 days: 10 requests in each of the minutes given (minutes before `now`), one
// of them bad.
void recordTraffic(SloLedger &ledger, SloLedger::Clock::time_point now)
{
    for (const std::chrono::minutes ago : std::initializer_list<std::chrono::minutes>{
             0min, 3min, 20min, 45min, 5h, 20h, 10 * 24h, 35 * 24h}) {
        for (int i = 0; i < 10; ++i) {
            ledger.record(i == 0, now - ago);
        }
    }
}

} // namespace

class tst_SloLedger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestsFallIntoTheirMinute();
    void windows_data();
    void windows();
    void burnRatesAgainstTheObjective();
    void minutesPastTheHorizonAreForgotten();
    void figuresSurviveARestart();
    void unsavedMinutesAreGivenBackAfterAFailedWrite();
};

void tst_SloLedger::requestsFallIntoTheirMinute()
{
    SloLedger ledger;
    ledger.record(false, T0);
    ledger.record(true, T0 + 59s);
    ledger.record(false, T0 + 60s);
    QCOMPARE(SloLedger::minuteOf(T0 + 59s), SloLedger::minuteOf(T0));
    QCOMPARE(SloLedger::minuteOf(T0 + 60s), SloLedger::minuteOf(T0) + 1);
    const SloLedger::Window current = ledger.window(1min, T0 + 60s);
    QCOMPARE(current.requests, 1);
    QCOMPARE(current.bad, 0);
    const SloLedger::Window both = ledger.window(2min, T0 + 60s);
    QCOMPARE(both.requests, 3);
    QCOMPARE(both.bad, 1);
    // Seen from the first minute, the later one has not happened yet.
    QCOMPARE(ledger.window(5min, T0 + 30s).requests, 2);
}

void tst_SloLedger::windows_data()
{
    QTest::addColumn<int>("minutes");
    QTest::addColumn<qint64>("requests");
    QTest::addColumn<qint64>("bad");

    QTest::newRow("5m") << 5 << qint64(20) << qint64(2);
    QTest::newRow("30m") << 30 << qint64(30) << qint64(3);
    QTest::newRow("1h") << 60 << qint64(40) << qint64(4);
    QTest::newRow("6h") << 360 << qint64(50) << qint64(5);
    QTest::newRow("1d") << 1440 << qint64(60) << qint64(6);
    QTest::newRow("30d: the horizon") << int(slo::Horizon.count()) << qint64(70) << qint64(7);
}

void tst_SloLedger::windows()
{
    QFETCH(int, minutes);
    QFETCH(qint64, requests);
    QFETCH(qint64, bad);
    SloLedger ledger;
    const auto now = T0 + 40 * 24h;
    recordTraffic(ledger, now);
    const SloLedger::Window window = ledger.window(std::chrono::minutes(minutes), now);
    QCOMPARE(window.requests, requests);
    QCOMPARE(window.bad, bad);
}

void tst_SloLedger::burnRatesAgainstTheObjective()
{
    // 10 good requests in each of the last 360 minutes, and 30 bad ones in the current one.
    SloLedger ledger;
    const auto now = T0 + 24h;
    for (int k = 0; k < 360; ++k) {
        for (int i = 0; i < 10; ++i) {
            ledger.record(false, now - std::chrono::minutes(k));
        }
    }
    for (int i = 0; i < 30; ++i) {
        ledger.record(true, now + std::chrono::seconds(i));
    }
    const double burn5m = burnRate(ledger.window(slo::PageShortWindow, now));
    const double burn1h = burnRate(ledger.window(slo::PageLongWindow, now));
    const double burn30m = burnRate(ledger.window(slo::TicketShortWindow, now));
    const double burn6h = burnRate(ledger.window(slo::TicketLongWindow, now));
    // 30 bad of 80 in 5 minutes, of 630 in the hour, of 330 in 30 minutes, of 3,630 in 6 hours.
    QVERIFY(qFuzzyCompare(burn5m, (30.0 / 80) / slo::ErrorBudget));
    QVERIFY(qFuzzyCompare(burn1h, (30.0 / 630) / slo::ErrorBudget));
    QVERIFY(qFuzzyCompare(burn30m, (30.0 / 330) / slo::ErrorBudget));
    QVERIFY(qFuzzyCompare(burn6h, (30.0 / 3630) / slo::ErrorBudget));
    // Both page windows burn faster than 14.4: a page; both ticket windows faster than 6.
    QVERIFY(burn5m > slo::PageBurnRate && burn1h > slo::PageBurnRate);
    QVERIFY(burn30m > slo::TicketBurnRate && burn6h > slo::TicketBurnRate);
}

void tst_SloLedger::minutesPastTheHorizonAreForgotten()
{
    SloLedger ledger;
    ledger.record(true, T0);
    QCOMPARE(ledger.window(slo::Horizon, T0).requests, 1);
    // A request 30 days and a minute later drops the first from memory, so no window, however
    // long, counts it again.
    const auto later = T0 + slo::Horizon + 1min;
    ledger.record(false, later);
    QCOMPARE(ledger.window(slo::Horizon + 10min, later).requests, 1);
    QCOMPARE(ledger.window(slo::Horizon + 10min, later).bad, 0);
}

void tst_SloLedger::figuresSurviveARestart()
{
    digitdesk::testing::TempWorkspace temp;
    digitdesk::storage::ServingMinuteRepository minutes(temp.workspace->db());
    const auto now = T0 + 40 * 24h;

    SloLedger before;
    recordTraffic(before, now);
    minutes.add(before.takeUnsaved());
    QVERIFY(before.takeUnsaved().empty()); // taken once

    // The restarted endpoint loads the last 30 days of history, as `serve` does.
    SloLedger after;
    after.load(minutes.since(SloLedger::minuteOf(now) - slo::Horizon.count()));
    for (const auto span : {5min, 30min, 60min, 360min, 1440min, slo::Horizon}) {
        QCOMPARE(after.window(span, now).requests, before.window(span, now).requests);
        QCOMPARE(after.window(span, now).bad, before.window(span, now).bad);
    }

    // Both record on; the second's new minutes add to the same rows in the workspace.
    after.record(true, now + 10s);
    before.record(true, now + 10s);
    minutes.add(after.takeUnsaved());
    SloLedger third;
    third.load(minutes.since(SloLedger::minuteOf(now)));
    QCOMPARE(third.window(1min, now + 10s).requests, 11);
    QCOMPARE(third.window(1min, now + 10s).bad, 2);
    QCOMPARE(after.window(1min, now + 10s).requests, before.window(1min, now + 10s).requests);
}

void tst_SloLedger::unsavedMinutesAreGivenBackAfterAFailedWrite()
{
    SloLedger ledger;
    ledger.record(false, T0);
    ledger.record(true, T0 + 1min);
    std::vector<ServingMinute> taken = ledger.takeUnsaved();
    QCOMPARE(taken.size(), size_t(2));
    // The write failed: given back, and recorded on meanwhile.
    ledger.record(false, T0 + 1min);
    ledger.restoreUnsaved(taken);
    const std::vector<ServingMinute> again = ledger.takeUnsaved();
    QCOMPARE(again.size(), size_t(2));
    QCOMPARE(again[0].minute, SloLedger::minuteOf(T0));
    QCOMPARE(again[0].requests, 1);
    QCOMPARE(again[1].requests, 2);
    QCOMPARE(again[1].bad, 1);
    // In memory nothing was counted twice.
    QCOMPARE(ledger.window(2min, T0 + 1min).requests, 3);
}

QTEST_GUILESS_MAIN(tst_SloLedger)
#include "tst_sloledger.moc"
