#include "annotation/annotationservice.h"
#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/reviewservice.h"
#include "annotation/teamoverview.h"
#include "annotation/teamsettings.h"
#include "annotation/userservice.h"
#include "models/flopcount.h"
#include "storage/labelrepository.h"
#include "storage/servingminuterepository.h"
#include "storage/settingsrepository.h"
#include "storage/timestamps.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/testdata.h"
#include "ui/overviewexport.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

using namespace digitdesk;
using annotation::Role;

namespace {

QDate mondayOf(const QDate &day)
{
    return day.addDays(1 - day.dayOfWeek());
}

// A team whose work is known to the label: dates are set relative to this week's Monday (M),
// so the weeks they fall in do not depend on the day the test runs.
//   M       ann: 2 labels approved, 1 rejected (still work done)
//   M-1     bob: 2 labels waiting for review
//   M-5     ann: 4 labels approved
//   M-12    bob: 4 labels, 3 approved and 1 corrected (4 -> 5); 2 gold answers, 1 right
//   M-42    ann: 1 label approved (older than the 30 days)
// plus one label bob took back (not counted) and three images nobody labelled.
struct Team
{
    Team()
    {
        storage::SettingsRepository(db()).setValue(
            QString::fromLatin1(annotation::AnnotationService::GoldSetting), QStringLiteral("0"));
        ann = testing::addUser(*temp.workspace, QStringLiteral("ann"), Role::Annotator);
        bob = testing::addUser(*temp.workspace, QStringLiteral("bob"), Role::Annotator);
        rita = testing::addUser(*temp.workspace, QStringLiteral("rita"), Role::Reviewer);
        eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
        mia = testing::addUser(*temp.workspace, QStringLiteral("mia"), Role::Manager);
        today = QDateTime::currentDateTimeUtc().date();
        monday = mondayOf(today);
        annotation::ReviewService review(db());

        const auto annNow = label(ann, {1, 2}, 0, monday);
        const auto annLastWeek = label(ann, {3, 4, 5, 6}, 10, monday.addDays(-5));
        const auto annOld = label(ann, {7}, 20, monday.addDays(-42));
        const auto bobReviewed = label(bob, {1, 2, 3, 4}, 30, monday.addDays(-12));
        for (const auto *decisions : {&annNow, &annLastWeek, &annOld}) {
            for (const annotation::LabelDecision &decision : *decisions) {
                review.approve(rita, decision.imageId);
            }
        }
        for (const annotation::LabelDecision &decision : bobReviewed) {
            if (decision.label == storage::Label::fromDigit(4)) {
                review.correct(rita, decision.imageId, storage::Label::fromDigit(5));
            } else {
                review.approve(rita, decision.imageId);
            }
        }
        label(bob, {8, 9}, 40, monday.addDays(-1));
        // Gold: two of ann's approved images; bob answers the first right, the second wrong.
        storage::LabelRepository repository(db());
        for (int i = 0; i < 2; ++i) {
            const annotation::LabelDecision &gold = annLastWeek[static_cast<size_t>(i)];
            review.markGold(rita, gold.imageId);
            const qint64 answer = repository.addLabel(
                gold.imageId, i == 0 ? gold.label : storage::Label::fromDigit(0), bob.userId, 0,
                100, true);
            backdate(answer, monday.addDays(-12));
        }
        const auto rejected = label(ann, {9}, 50, monday);
        review.reject(rita, rejected.front().imageId, QStringLiteral("smudged"));
        label(bob, {6}, 60, today);
        QVERIFY(annotation::AnnotationService(db()).undo(bob).has_value());
        testing::addIncomingImages(*temp.workspace, 70, 3);

        const annotation::DatasetVersion v1 =
            annotation::DatasetService(db(), temp.workspace->root())
                .commit(eve, QStringLiteral("first"));
        annotation::ModelRegistry registry(db(), temp.workspace->root());
        const QString file = temp.dir.filePath(QStringLiteral("model.pt"));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(eve, QStringLiteral("v1"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = QStringLiteral(R"({"validation":{"accuracy":0.9125}})");
        trained.dataDigest = QStringLiteral("digest");
        trained.datasetCommit = v1.commitId;
        modelId = registry.registerTrained(eve, run, trained);
        versionImages = v1.imageCount;

        // 20,000 requests with one bad a day ago; 100 bad ones long before the 30 days.
        const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60;
        storage::ServingMinuteRepository(db()).add(
            {{minute - 24 * 60, 20000, 1}, {minute - 40 * 24 * 60, 100, 100}});
    }

    QSqlDatabase db() const { return temp.workspace->db(); }

    // New images labelled by `who` through the queue, their labels dated `day` at 09:00 UTC.
    std::vector<annotation::LabelDecision> label(const annotation::Principal &who,
                                                 const std::vector<int> &labels, int seed,
                                                 const QDate &day)
    {
        testing::addIncomingImages(*temp.workspace, 1000 + seed, static_cast<int>(labels.size()));
        annotation::AnnotationService annotate(db());
        std::vector<annotation::LabelDecision> decisions;
        for (int label : labels) {
            const auto item = annotate.next(who);
            if (!item) {
                qWarning() << "the queue ran dry for" << who.name;
                return decisions;
            }
            decisions.push_back(
                annotate.label(who, item->imageId, storage::Label::fromDigit(label), 500));
            backdate(decisions.back().labelId, day);
        }
        return decisions;
    }

    void backdate(qint64 labelId, const QDate &day)
    {
        QSqlQuery query(db());
        query.prepare(QStringLiteral("UPDATE labels SET created_at = :at WHERE id = :id"));
        query.bindValue(QStringLiteral(":at"),
                        storage::toDbTime(QDateTime(day, QTime(9, 0), Qt::UTC)));
        query.bindValue(QStringLiteral(":id"), labelId);
        QVERIFY(query.exec());
    }

    // Two hours from now: the queue's oldest image has waited that long.
    QDateTime now() const { return QDateTime::currentDateTimeUtc().addSecs(2 * 3600); }

    annotation::TeamOverview overview() const
    {
        const QDateTime at = now();
        return annotation::TeamOverview(db(), [at] { return at; });
    }

    testing::TempWorkspace temp;
    annotation::Principal ann, bob, rita, eve, mia;
    QDate today;
    QDate monday;
    qint64 modelId = 0;
    int versionImages = 0;
};

QString pdfInfo(const QString &path)
{
    QProcess process;
    process.start(QStringLiteral("pdfinfo"), {path});
    process.waitForFinished(30000);
    return QString::fromUtf8(process.readAllStandardOutput());
}

} // namespace

class tst_Overview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labelsPerDayPerAnnotator();
    void weeklyGoldAccuracyAndKappa();
    void queueModelsReleasesAndServing();
    void onlyManagersAndAdminsReadIt();
    void targetsAreCheckedAndAudited();
    void csvHasARowPerFigure();
    void monthReportIsOnePagePdf();
};

void tst_Overview::labelsPerDayPerAnnotator()
{
    Team team;
    const annotation::OverviewFigures figures = team.overview().lastDays(team.mia);
    QCOMPARE(figures.lastDay, team.now().date());
    QCOMPARE(figures.firstDay, figures.lastDay.addDays(-29));
    QCOMPARE(figures.annotators(), (QStringList{QStringLiteral("ann"), QStringLiteral("bob")}));
    QCOMPARE(figures.labelsOn(team.monday, QStringLiteral("ann")), 3); // the rejected one counts
    QCOMPARE(figures.labelsOn(team.monday.addDays(-1), QStringLiteral("bob")), 2);
    QCOMPARE(figures.labelsOn(team.monday.addDays(-5), QStringLiteral("ann")), 4);
    QCOMPARE(figures.labelsOn(team.monday.addDays(-12), QStringLiteral("bob")), 6); // gold too
    // The label bob took back does not count; ann's label of six weeks ago is outside.
    QCOMPARE(figures.labelsOn(team.today, QStringLiteral("bob")), 0);
    QCOMPARE(figures.totalLabels(), 15);
    QCOMPARE(figures.labelsPerDay.size(), size_t(4));
    QCOMPARE(figures.dailyTarget, annotation::DefaultDailyTarget);
}

void tst_Overview::weeklyGoldAccuracyAndKappa()
{
    Team team;
    const annotation::OverviewFigures figures = team.overview().lastDays(team.mia);
    QCOMPARE(figures.quality.size(), size_t(3));
    const annotation::WeeklyQuality &bob = figures.quality[0];
    QCOMPARE(bob.week, team.monday.addDays(-14));
    QCOMPARE(bob.annotator, QStringLiteral("bob"));
    QCOMPARE(bob.goldAnswered, 2);
    QCOMPARE(bob.goldRight, 1);
    QCOMPARE(bob.goldAccuracy, 0.5);
    QCOMPARE(bob.reviewed, 4);
    // Labels 1 2 3 4 against 1 2 3 5: observed 3/4, chance 3/16: (3/4 - 3/16) / (13/16) = 9/13.
    QVERIFY(bob.kappa.has_value());
    QCOMPARE(*bob.kappa, 9.0 / 13.0);
    const annotation::WeeklyQuality &annLastWeek = figures.quality[1];
    QCOMPARE(annLastWeek.week, team.monday.addDays(-7));
    QCOMPARE(annLastWeek.annotator, QStringLiteral("ann"));
    QCOMPARE(annLastWeek.reviewed, 4);
    QCOMPARE(annLastWeek.goldAccuracy, -1.0);
    QCOMPARE(annLastWeek.kappa.value_or(-2), 1.0);
    const annotation::WeeklyQuality &annNow = figures.quality[2];
    QCOMPARE(annNow.week, team.monday);
    QCOMPARE(annNow.reviewed, 2); // the rejection carries no reviewer's answer
    QCOMPARE(annNow.kappa.value_or(-2), 1.0);
}

void tst_Overview::queueModelsReleasesAndServing()
{
    Team team;
    const annotation::OverviewFigures figures = team.overview().lastDays(team.mia);
    // The rejected image, the one bob took back and the three nobody labelled.
    QCOMPARE(figures.queueDepth, 5);
    QVERIFY2(figures.oldestItemAgeSeconds >= 2 * 3600 &&
                 figures.oldestItemAgeSeconds < 2 * 3600 + 120,
             qPrintable(QString::number(figures.oldestItemAgeSeconds)));
    QCOMPARE(figures.reviewBacklog, 2);
    QCOMPARE(figures.releasesWaiting, std::vector<qint64>{team.modelId});
    QCOMPARE(figures.models.size(), size_t(1));
    QCOMPARE(figures.models[0].modelId, team.modelId);
    QCOMPARE(figures.models[0].datasetTag, QStringLiteral("v1"));
    QCOMPARE(figures.models[0].images, 11);
    QCOMPARE(team.versionImages, 11);
    QCOMPARE(figures.models[0].heldOutAccuracy, 0.9125);
    QCOMPARE(figures.slo.requests, qint64(20000));
    QCOMPARE(figures.slo.bad, qint64(1));
    QCOMPARE(figures.slo.availability.value_or(-1), 0.99995);
    QCOMPARE(figures.slo.budgetLeft, 0.5);
}

void tst_Overview::onlyManagersAndAdminsReadIt()
{
    Team team;
    for (const annotation::Principal &who : {team.ann, team.rita, team.eve}) {
        QVERIFY(
            testing::throws<annotation::PermissionDenied>([&] { team.overview().lastDays(who); }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { team.overview().setTargets(who, team.overview().targets(team.mia)); }));
    }
    const annotation::Principal admin =
        testing::addUser(*team.temp.workspace, QStringLiteral("ada"), Role::Admin);
    QCOMPARE(team.overview().lastDays(admin).totalLabels(), 15);
}

void tst_Overview::targetsAreCheckedAndAudited()
{
    Team team;
    annotation::TeamOverview overview = team.overview();
    annotation::TeamTargets targets = overview.targets(team.mia);
    QCOMPARE(targets.dailyTarget, 300);
    QCOMPARE(targets.leaseSeconds, 300);
    QCOMPARE(targets.goldShare, 0.0); // as the team set it
    QCOMPARE(targets.overlap, 1);
    targets.dailyTarget = 250;
    targets.overlap = 2;
    targets.goldShare = 0.1;
    overview.setTargets(team.mia, targets);
    const storage::SettingsRepository settings(team.db());
    QCOMPARE(settings.value(QStringLiteral("team.daily_target")), QStringLiteral("250"));
    QCOMPARE(settings.value(QStringLiteral("queue.overlap")), QStringLiteral("2"));
    QCOMPARE(settings.value(QStringLiteral("queue.gold_share")), QStringLiteral("0.1"));
    QCOMPARE(overview.lastDays(team.mia).dailyTarget, 250);
    QSqlQuery audit(team.db());
    QVERIFY(audit.exec(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE actor = 'mia' AND"
                                      " action = 'set_team_targets' AND outcome = 'ok'")));
    QVERIFY(audit.next());
    QCOMPARE(audit.value(0).toInt(), 3); // one row per setting changed

    // Out of range: refused whole, naming the setting and its range; nothing changes.
    targets.dailyTarget = 400;
    targets.overlap = 9;
    try {
        overview.setTargets(team.mia, targets);
        QFAIL("an overlap of 9 was accepted");
    } catch (const annotation::InvalidRequest &error) {
        QCOMPARE(QString::fromUtf8(error.what()),
                 QStringLiteral("queue.overlap takes a whole number from 1 to 5"));
    }
    QCOMPARE(settings.value(QStringLiteral("team.daily_target")), QStringLiteral("250"));
}

void tst_Overview::csvHasARowPerFigure()
{
    Team team;
    const annotation::OverviewFigures figures = team.overview().lastDays(team.mia);
    const QString path = team.temp.dir.filePath(QStringLiteral("team.csv"));
    QVERIFY(!ui::overviewexport::writeCsv(figures, path).has_value());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList rows =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(rows.first(), QStringLiteral("figure,period,who,value"));
    const QString m = team.monday.toString(Qt::ISODate);
    const QString m14 = team.monday.addDays(-14).toString(Qt::ISODate);
    for (const QString &expected :
         {QStringLiteral("labels,%1,ann,3").arg(m),
          QStringLiteral("labels,%1,bob,6").arg(team.monday.addDays(-12).toString(Qt::ISODate)),
          QStringLiteral("gold_accuracy,%1,bob,0.5").arg(m14),
          QStringLiteral("kappa_with_reviewers,%1,bob,0.6923076923").arg(m14),
          QStringLiteral("held_out_accuracy,v1,model %1,0.9125").arg(team.modelId),
          QStringLiteral("release_waiting,%1,model %2,pending validation")
              .arg(figures.readAt.toString(Qt::ISODate))
              .arg(team.modelId)}) {
        QVERIFY2(rows.contains(expected),
                 qPrintable(expected + QStringLiteral(" in\n") + rows.join(QLatin1Char('\n'))));
    }
    const auto valueOf = [&rows](const QString &figure) {
        for (const QString &row : rows) {
            if (row.startsWith(figure + QLatin1Char(','))) {
                return row.section(QLatin1Char(','), 3);
            }
        }
        return QString();
    };
    QCOMPARE(valueOf(QStringLiteral("queue_depth")), QStringLiteral("5"));
    QCOMPARE(valueOf(QStringLiteral("review_backlog")), QStringLiteral("2"));
    QCOMPARE(valueOf(QStringLiteral("serving_requests")), QStringLiteral("20000"));
    QCOMPARE(valueOf(QStringLiteral("availability")), QStringLiteral("0.99995"));
    QCOMPARE(valueOf(QStringLiteral("daily_target")), QStringLiteral("300"));
    // 4 label rows; 3 weeks of gold answered, reviewed and kappa, and bob's gold accuracy;
    // 1 model; 5 figures of the span; 3 of the queue; 1 release waiting.
    QCOMPARE(rows.size(), 1 + 4 + 3 * 3 + 1 + 1 + 5 + 3 + 1);
}

void tst_Overview::monthReportIsOnePagePdf()
{
    Team team;
    const annotation::OverviewFigures figures =
        team.overview().month(team.mia, team.monday.year(), team.monday.month());
    QCOMPARE(figures.firstDay, QDate(team.monday.year(), team.monday.month(), 1));
    QCOMPARE(figures.lastDay, figures.firstDay.addMonths(1).addDays(-1));
    // Only the days of that month.
    int expected = 0;
    for (const auto &[offset, count] :
         std::vector<std::pair<int, int>>{{0, 3}, {-1, 2}, {-5, 4}, {-12, 6}}) {
        expected += team.monday.addDays(offset).month() == team.monday.month() ? count : 0;
    }
    QCOMPARE(figures.totalLabels(), expected);
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { team.overview().month(team.mia, team.today.year() + 1, 1); }));

    const QString path = team.temp.dir.filePath(QStringLiteral("team.pdf"));
    QVERIFY(!ui::overviewexport::writePdf(figures, path, team.temp.folder()).has_value());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY(pdf.startsWith("%PDF-"));
    QVERIFY2(pdf.size() > 2000, qPrintable(QString::number(pdf.size())));
    // One page object, and pdfinfo (poppler-utils, from the installer) agrees.
    const auto pages = QRegularExpression(QStringLiteral("/Type\\s*/Page[^s]"))
                           .globalMatch(QString::fromLatin1(pdf));
    int pageObjects = 0;
    for (auto it = pages; it.hasNext(); it.next()) {
        ++pageObjects;
    }
    QCOMPARE(pageObjects, 1);
    QVERIFY2(pdfInfo(path).contains(QRegularExpression(QStringLiteral("Pages:\\s+1\\n"))),
             qPrintable(pdfInfo(path)));
    QVERIFY(pdfInfo(path).contains(QStringLiteral("Team report")) ||
            pdfInfo(path).contains(QStringLiteral("team report")));
}

QTEST_MAIN(tst_Overview)
#include "tst_overview.moc"
