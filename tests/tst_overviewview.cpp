#include "annotation/teamsettings.h"
#include "storage/settingsrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/testdata.h"
#include "ui/mainwindow.h"
#include "ui/overviewcharts.h"
#include "ui/overviewview.h"
#include "ui/usersview.h"

#include <QAbstractSeries>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGroupBox>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>

using namespace digitdesk;
using annotation::Role;

namespace {

struct Team
{
    Team()
    {
        people = testing::addPeople(*temp.workspace);
        manager = testing::addUser(*temp.workspace, QStringLiteral("mia"), Role::Manager);
        qa = testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa);
    }
    QSqlDatabase db() const { return temp.workspace->db(); }
    testing::TempWorkspace temp;
    testing::People people;
    annotation::Principal manager;
    annotation::Principal qa;
};

std::unique_ptr<ui::OverviewView> openView(const Team &team, const annotation::Principal &who)
{
    auto view = std::make_unique<ui::OverviewView>(*team.temp.workspace, who);
    QSignalSpy shown(view.get(), &ui::OverviewView::figuresShown);
    view->resize(1100, 900);
    view->show();
    shown.wait(10000);
    return view;
}

// Answers the next file dialog with `path`, from inside its event loop.
void answerFileDialog(const QString &path)
{
    auto *timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, path] {
        auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
        auto *name = dialog != nullptr
                         ? dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"))
                         : nullptr;
        if (name == nullptr) {
            return;
        }
        timer->deleteLater();
        // Typed, as a person would: the dialog's own suggestion may still arrive for selectFile().
        name->setText(path);
        QMetaObject::invokeMethod(dialog, "accept");
    });
    timer->start(20);
}

QString pdfPages(const QString &path)
{
    QProcess process;
    process.start(QStringLiteral("pdfinfo"), {path});
    process.waitForFinished(30000);
    for (const QString &line : QString::fromUtf8(process.readAllStandardOutput()).split('\n')) {
        if (line.startsWith(QStringLiteral("Pages:"))) {
            return line.section(QLatin1Char(':'), 1).trimmed();
        }
    }
    return {};
}

} // namespace

class tst_OverviewView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anEmptyWorkspaceSaysWhatIsMissing();
    void tilesAndChartsShowTheTeamsWork();
    void managerSetsTheDailyTargetWithKeys();
    void refreshKeepsUnappliedEdits();
    void exportsTheChosenMonth();
    void navigationPerRole();
};

void tst_OverviewView::anEmptyWorkspaceSaysWhatIsMissing()
{
    Team team;
    const auto view = openView(team, team.manager);
    QCOMPARE(view->figures().totalLabels(), 0);
    QCOMPARE(view->tileText(QStringLiteral("queueDepth")), QStringLiteral("0"));
    QCOMPARE(view->tileText(QStringLiteral("oldestItem")), QStringLiteral("none"));
    QCOMPARE(view->tileText(QStringLiteral("releasesWaiting")), QStringLiteral("0"));
    QCOMPARE(view->tileText(QStringLiteral("availability")), QStringLiteral("no traffic"));
    QCOMPARE(view->tileText(QStringLiteral("errorBudget")), QStringLiteral("100%"));
    const QStringList empty = view->charts()->emptyMessages();
    QCOMPARE(empty.size(), 4);
    QCOMPARE(empty.at(0), QStringLiteral("No labels in the last 30 days."));
    QVERIFY(empty.at(1).startsWith(QStringLiteral("No gold items answered in the last 30 days")));
    QCOMPARE(empty.at(2), QStringLiteral("No reviewed labels in the last 30 days."));
    QVERIFY(empty.at(3).startsWith(QStringLiteral("No model trained on a dataset version")));
    QVERIFY(view->targetsShown());
}

void tst_OverviewView::tilesAndChartsShowTheTeamsWork()
{
    Team team;
    testing::labelAndApprove(*team.temp.workspace, 0, {1, 2, 3}, team.people.annotator,
                             team.people.reviewer);
    testing::addIncomingImages(*team.temp.workspace, 100, 4);
    const auto view = openView(team, team.manager);
    QCOMPARE(view->figures().totalLabels(), 3);
    QCOMPARE(view->tileText(QStringLiteral("queueDepth")), QStringLiteral("4"));
    QCOMPARE(view->tileText(QStringLiteral("reviewBacklog")), QStringLiteral("0"));
    // ann's line and the daily target; kappa now has ann's week, gold still nothing.
    QCOMPARE(view->charts()->labelsChart()->series().size(), 2);
    QCOMPARE(view->charts()->labelsChart()->series().last()->name(), QStringLiteral("ann"));
    QCOMPARE(view->charts()->kappaChart()->series().last()->name(), QStringLiteral("ann"));
    const QStringList empty = view->charts()->emptyMessages();
    QCOMPARE(empty.size(), 2);
    QVERIFY(empty.at(0).startsWith(QStringLiteral("No gold items")));
}

void tst_OverviewView::managerSetsTheDailyTargetWithKeys()
{
    Team team;
    const auto view = openView(team, team.manager);
    auto *target = view->findChild<QSpinBox *>(QStringLiteral("dailyTarget"));
    auto *overlap = view->findChild<QSpinBox *>(QStringLiteral("overlap"));
    auto *apply = view->findChild<QPushButton *>(QStringLiteral("applyTargets"));
    QVERIFY(target && overlap && apply);
    QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), 10000);
    QCOMPARE(target->value(), annotation::DefaultDailyTarget);
    // The spin boxes take only the settings' ranges.
    QCOMPARE(overlap->maximum(), 5);
    target->setFocus();
    target->selectAll();
    QTest::keyClicks(target, QStringLiteral("250"));
    overlap->selectAll();
    QTest::keyClicks(overlap, QStringLiteral("2"));
    QSignalSpy saved(view.get(), &ui::OverviewView::targetsSaved);
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY(saved.wait(10000));
    const storage::SettingsRepository settings(team.db());
    QCOMPARE(settings.value(QStringLiteral("team.daily_target")), QStringLiteral("250"));
    QCOMPARE(settings.value(QStringLiteral("queue.overlap")), QStringLiteral("2"));
    QVERIFY(view->statusText().startsWith(QStringLiteral("Targets saved")));
    QTRY_COMPARE_WITH_TIMEOUT(view->figures().dailyTarget, 250, 10000);

    // An ML engineer who reaches the view has no targets to set, and is refused the figures.
    ui::OverviewView refused(*team.temp.workspace, team.people.engineer);
    QVERIFY(!refused.targetsShown());
    refused.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refused.statusText().contains(QStringLiteral("permission denied")),
                             10000);
}

void tst_OverviewView::refreshKeepsUnappliedEdits()
{
    Team team;
    const auto view = openView(team, team.manager);
    auto *target = view->findChild<QSpinBox *>(QStringLiteral("dailyTarget"));
    auto *apply = view->findChild<QPushButton *>(QStringLiteral("applyTargets"));
    QVERIFY(target && apply);
    QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), 10000);
    storage::SettingsRepository settings(team.db());
    // The worker reads the figures, then the targets: after a second read's figures are shown,
    // the first read's targets are too.
    const auto refreshTwice = [&view] {
        QSignalSpy shown(view.get(), &ui::OverviewView::figuresShown);
        view->refresh();
        view->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(shown.size() >= 2, 10000);
    };

    // Untouched boxes follow what is stored.
    settings.setValue(QStringLiteral("team.daily_target"), QStringLiteral("120"));
    refreshTwice();
    QTRY_COMPARE_WITH_TIMEOUT(target->value(), 120, 10000);

    // What the manager typed and has not applied survives the periodic refresh.
    target->setFocus();
    target->selectAll();
    QTest::keyClicks(target, QStringLiteral("250"));
    QCOMPARE(target->value(), 250);
    settings.setValue(QStringLiteral("team.daily_target"), QStringLiteral("130"));
    refreshTwice();
    QCOMPARE(target->value(), 250);

    // Once stored (here by someone else) the boxes follow what is stored again.
    settings.setValue(QStringLiteral("team.daily_target"), QStringLiteral("250"));
    refreshTwice();
    settings.setValue(QStringLiteral("team.daily_target"), QStringLiteral("140"));
    refreshTwice();
    QCOMPARE(target->value(), 140);

    // And once applied.
    target->selectAll();
    QTest::keyClicks(target, QStringLiteral("260"));
    QSignalSpy saved(view.get(), &ui::OverviewView::targetsSaved);
    QTest::mouseClick(apply, Qt::LeftButton);
    QVERIFY(saved.wait(10000));
    QCOMPARE(settings.value(QStringLiteral("team.daily_target")), QStringLiteral("260"));
    settings.setValue(QStringLiteral("team.daily_target"), QStringLiteral("150"));
    refreshTwice();
    QCOMPARE(target->value(), 150);
}

void tst_OverviewView::exportsTheChosenMonth()
{
    Team team;
    testing::labelAndApprove(*team.temp.workspace, 0, {4, 5}, team.people.annotator,
                             team.people.reviewer);
    const auto view = openView(team, team.manager);
    auto *month = view->findChild<QComboBox *>(QStringLiteral("exportMonth"));
    QVERIFY(month != nullptr);
    QCOMPARE(month->count(), 12);
    QCOMPARE(month->currentData().toDate().month(), QDate::currentDate().month());

    const QString pdf = team.temp.dir.filePath(QStringLiteral("month.pdf"));
    QSignalSpy exported(view.get(), &ui::OverviewView::exported);
    answerFileDialog(pdf);
    QTest::mouseClick(view->findChild<QPushButton *>(QStringLiteral("exportPdf")), Qt::LeftButton);
    QVERIFY(exported.wait(20000));
    QCOMPARE(exported.first().first().toString(), pdf);
    QVERIFY(QFile(pdf).size() > 0);
    QCOMPARE(pdfPages(pdf), QStringLiteral("1"));
    QCOMPARE(view->statusText(), QStringLiteral("Written to %1.").arg(pdf));

    const QString csv = team.temp.dir.filePath(QStringLiteral("month.csv"));
    answerFileDialog(csv);
    QTest::mouseClick(view->findChild<QPushButton *>(QStringLiteral("exportCsv")), Qt::LeftButton);
    QVERIFY(exported.wait(20000));
    QCOMPARE(exported.last().first().toString(), csv);
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith(QStringLiteral("figure,period,who,value\n")));
    QVERIFY2(text.contains(QStringLiteral("labels,%1,ann,2")
                               .arg(QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate))),
             qPrintable(text));

    // A folder that cannot be written: said in the view.
    view->exportMonth(month->currentData().toDate(), QStringLiteral("pdf"),
                      QStringLiteral("/nonexistent/folder/report.pdf"));
    QSignalSpy failed(view.get(), &ui::OverviewView::actionFailed);
    QVERIFY(failed.wait(10000));
    QVERIFY2(view->statusText().contains(QStringLiteral("cannot write /nonexistent/folder")),
             qPrintable(view->statusText()));
}

void tst_OverviewView::navigationPerRole()
{
    Team team;
    const auto navigation = [](const ui::MainWindow &window) {
        QStringList names;
        const auto *list = window.findChild<QListWidget *>(QStringLiteral("navigation"));
        for (int row = 0; row < list->count(); ++row) {
            names << list->item(row)->text();
        }
        return names;
    };
    {
        ui::MainWindow window(*team.temp.workspace, team.manager);
        QCOMPARE(navigation(window),
                 (QStringList{QStringLiteral("Overview"), QStringLiteral("Datasets"),
                              QStringLiteral("Models"), QStringLiteral("Monitoring"),
                              QStringLiteral("Validation")}));
        QVERIFY(window.overviewView() != nullptr);
        QVERIFY(window.annotateView() == nullptr);
    }
    {
        ui::MainWindow window(*team.temp.workspace, team.qa);
        QCOMPARE(navigation(window).first(), QStringLiteral("Validation"));
        QVERIFY(window.overviewView() == nullptr);
        QVERIFY(window.annotateView() == nullptr);
    }
    {
        // The others keep their keys; the new views come last.
        ui::MainWindow window(*team.temp.workspace, team.people.admin);
        const QStringList names = navigation(window);
        QCOMPARE(names.first(), QStringLiteral("Annotate"));
        QCOMPARE(names.mid(names.size() - 3),
                 (QStringList{QStringLiteral("Users"), QStringLiteral("Validation"),
                              QStringLiteral("Overview")}));
        // Ctrl+0 is the tenth; the eleventh has no number left.
        QStringList shortcuts;
        for (const QAction *action : window.findChildren<QAction *>()) {
            if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_0)) {
                shortcuts << action->text();
            }
        }
        QCOMPARE(shortcuts, QStringList{QStringLiteral("Validation")});
    }
    {
        ui::MainWindow window(*team.temp.workspace, team.people.annotator);
        QCOMPARE(navigation(window), QStringList{QStringLiteral("Annotate")});
    }
    // The Users view offers all six roles.
    ui::UsersView users(ui::userAdministrationFactory(team.temp.workspace->databasePath()),
                        team.people.admin);
    for (const QString &name : {QStringLiteral("newRole"), QStringLiteral("changeRole")}) {
        auto *roles = users.findChild<QComboBox *>(name);
        QVERIFY(roles != nullptr);
        QCOMPARE(roles->count(), 6);
        QVERIFY(roles->findText(QStringLiteral("ml_qa")) >= 0);
        QVERIFY(roles->findText(QStringLiteral("manager")) >= 0);
    }
}

QTEST_MAIN(tst_OverviewView)
#include "tst_overviewview.moc"
