#include "annotation/inbox.h"
#include "storage/inboxrepository.h"
#include "storage/settingsrepository.h"
#include "storage/transaction.h"
#include "tests/support/inboxfixture.h"
#include "ui/inboxpane.h"
#include "ui/servingview.h"

#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace digitdesk;

namespace {

// What a running watcher writes: its state row, and what became of two files today.
void recordWatcher(const storage::Workspace &workspace, const QString &folder)
{
    storage::InboxRepository inbox(workspace.db());
    storage::InboxStatusRow row;
    row.path = folder;
    row.state = QStringLiteral("watching");
    row.pid = 4242;
    row.waiting = 3;
    row.startedAt = QDateTime::currentDateTimeUtc();
    row.heartbeatAt = row.startedAt;
    row.lastError = QStringLiteral("cannot move x.png to /srv/inbox/processed");
    row.lastErrorAt = row.startedAt;
    storage::Transaction transaction(workspace.db());
    inbox.writeStatus(row);
    inbox.record({{QStringLiteral("a.png"),
                   QStringLiteral("aa"),
                   storage::InboxOutcome::Imported,
                   0,
                   {},
                   QStringLiteral("processed")},
                  {QStringLiteral("b.png"), QStringLiteral("bb"), storage::InboxOutcome::Failed, 0,
                   QStringLiteral("not an image"), QStringLiteral("failed")}});
    transaction.commit();
}

bool inboxEnabled(const storage::Workspace &workspace)
{
    return annotation::InboxSettings::read(workspace.db()).enabled;
}

} // namespace

class tst_InboxPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheWatchersStateAndStopsAndStartsIt();
    void onlyEngineersAndAdminsSeeIt();
};

void tst_InboxPane::showsTheWatchersStateAndStopsAndStartsIt()
{
    testing::TempWorkspace temp;
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const QString folder = temp.dir.filePath(QStringLiteral("inbox"));
    ui::InboxPane pane(*temp.workspace, engineer);
    QTRY_COMPARE(pane.stateText(), QStringLiteral("not running"));

    recordWatcher(*temp.workspace, folder);
    QTRY_COMPARE(pane.stateText(), QStringLiteral("watching"));
    QCOMPARE(pane.countsText(), QStringLiteral("3 waiting, 1 imported today, 1 failed today"));
    QVERIFY(pane.errorText().contains(QStringLiteral("cannot move x.png")));
    QCOMPARE(pane.findChild<QLabel *>(QStringLiteral("inboxFolder"))->text(), folder);

    auto *stop = pane.findChild<QPushButton *>(QStringLiteral("inboxStop"));
    auto *start = pane.findChild<QPushButton *>(QStringLiteral("inboxStart"));
    QVERIFY(stop->isEnabled() && !start->isEnabled());
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(!inboxEnabled(*temp.workspace));
    QTRY_VERIFY(start->isEnabled() && !stop->isEnabled());
    QVERIFY(pane.stateText().contains(QStringLiteral("stopped from here")));
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(inboxEnabled(*temp.workspace));
    QTRY_VERIFY(stop->isEnabled());
    QCOMPARE(testing::countOf(*temp.workspace,
                              QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action ="
                                             " 'control_inbox' AND actor = 'eve'")),
             2);
}

void tst_InboxPane::onlyEngineersAndAdminsSeeIt()
{
    testing::TempWorkspace temp;
    const auto engineer =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const auto admin =
        testing::addUser(*temp.workspace, QStringLiteral("ada"), annotation::Role::Admin);
    const auto qa =
        testing::addUser(*temp.workspace, QStringLiteral("quinn"), annotation::Role::MlQa);
    QVERIFY(ui::ServingView(*temp.workspace, engineer).findChild<ui::InboxPane *>());
    QVERIFY(ui::ServingView(*temp.workspace, admin).findChild<ui::InboxPane *>());
    QVERIFY(!ui::ServingView(*temp.workspace, qa).findChild<ui::InboxPane *>());

    // Whatever the view shows, the service refuses the others, and says so.
    ui::InboxPane pane(*temp.workspace, qa);
    QTRY_VERIFY(pane.errorText().contains(QStringLiteral("permission denied")));
    pane.setEnabledByUser(false);
    QVERIFY(inboxEnabled(*temp.workspace));
}

QTEST_MAIN(tst_InboxPane)
#include "tst_inboxpane.moc"
