#include "annotation/modelregistry.h"
#include "annotation/releasesignoff.h"
#include "annotation/userservice.h"
#include "models/flopcount.h"
#include "storage/auditlog.h"
#include "storage/releasedecisionrepository.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "tests/support/datasetfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace digitdesk;
using annotation::Role;
using testing::runDigitdeskOn;

namespace {

// Held-out figures with `count` images of each digit, `correct[c]` of them answered right.
annotation::ModelFigures figuresOf(const QList<int> &correct, int count, double ece)
{
    annotation::ModelFigures figures;
    for (int c = 0; c < models::ClassCount; ++c) {
        annotation::ClassFigures &perClass = figures.perClass[static_cast<size_t>(c)];
        perClass.count = correct.at(c) < 0 ? 0 : count;
        perClass.correct = std::max(0, correct.at(c));
        perClass.recall = perClass.count > 0 ? double(perClass.correct) / perClass.count : 0;
        figures.count += perClass.count;
        figures.correct += perClass.correct;
    }
    figures.accuracy = figures.count > 0 ? double(figures.correct) / figures.count : 0;
    figures.accuracyInterval = annotation::wilsonInterval(figures.correct, figures.count);
    figures.ece = ece;
    return figures;
}

// The metrics the trainer records: 20 held-out images of each digit, all right but three 3s
// taken for 5s (recall of 3: 85%), ECE 0.021.
QString recordedMetrics()
{
    QJsonArray confusion;
    for (int truth = 0; truth < models::ClassCount; ++truth) {
        QJsonArray row;
        for (int answered = 0; answered < models::ClassCount; ++answered) {
            const int right = truth == 3 ? 17 : 20;
            row.append(answered == truth ? right : truth == 3 && answered == 5 ? 3 : 0);
        }
        confusion.append(row);
    }
    const QJsonObject evaluation{{QStringLiteral("count"), 200},
                                 {QStringLiteral("accuracy"), 0.985},
                                 {QStringLiteral("ece"), 0.021},
                                 {QStringLiteral("confusion"), confusion}};
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("validation"), evaluation},
                                  {QStringLiteral("validation_calibrated"), evaluation}})
            .toJson(QJsonDocument::Compact));
}

// A team: eve trains, ada administers, quinn is ML QA, mia manages, ann labels.
struct Team
{
    Team()
        : eve(testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer)),
          ada(testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin)),
          quinn(testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa)),
          mia(testing::addUser(*temp.workspace, QStringLiteral("mia"), Role::Manager)),
          ann(testing::addUser(*temp.workspace, QStringLiteral("ann"), Role::Annotator)),
          registry(temp.workspace->db(), temp.workspace->root()), signOff(temp.workspace->db())
    {}

    // An untrained DigitNet that `who` trained (started its run and registered it).
    qint64 train(const annotation::Principal &who, const QString &metrics = QStringLiteral("{}"))
    {
        const QString file = temp.dir.filePath(QStringLiteral("trained.pt"));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(who, QStringLiteral("fixture"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = metrics;
        trained.dataDigest = QStringLiteral("digest");
        return registry.registerTrained(who, run, trained);
    }
    QString refusalOfPromote(qint64 id)
    {
        try {
            registry.promote(eve, id, QStringLiteral("try"));
        } catch (const annotation::InvalidRequest &error) {
            return QString::fromUtf8(error.what());
        }
        return {};
    }
    storage::AuditEntry lastAudit() const
    {
        return storage::AuditLog(temp.workspace->db()).latest(1).front();
    }

    testing::TempWorkspace temp;
    annotation::Principal eve, ada, quinn, mia, ann;
    annotation::ModelRegistry registry;
    annotation::ReleaseSignOff signOff;
};

} // namespace

class tst_ReleaseSignOff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void promotionNeedsAnotherPersonsApproval();
    void rejectionNeedsACommentAndBlocks();
    void rollbackNeedsNoApproval();
    void waiverLetsAnyModelServe();
    void waitingReleases();
    void decisionsAreAppendOnly();
    void checklist_data();
    void checklist();
    void checklistSettings();
    void commandLine();
};

void tst_ReleaseSignOff::promotionNeedsAnotherPersonsApproval()
{
    Team team;
    const qint64 model = team.train(team.eve);
    QCOMPARE(annotation::toString(team.signOff.statusOf(model)),
             QStringLiteral("pending validation"));
    // Unapproved: refused by promote and by a move of the alias, naming the model and the way out.
    QCOMPARE(team.refusalOfPromote(model),
             QStringLiteral("model %1 has no release approval: an ML QA user must approve it "
                            "(digitdesk models validate %1 --approve, or the Validation view)")
                 .arg(model));
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        team.registry.moveAlias(team.eve, annotation::ProductionAlias, model, QStringLiteral("x"));
    }));
    QVERIFY(!team.registry.production());

    // Neither the engineer nor the manager may sign off; the admin may, but not a model of theirs.
    for (const annotation::Principal &who : {team.eve, team.mia, team.ann}) {
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { team.signOff.decide(who, model, true, {}); }));
    }
    const qint64 adas = team.train(team.ada);
    try {
        team.signOff.decide(team.ada, adas, true, QStringLiteral("mine is fine"));
        QFAIL("the trainer approved their own model");
    } catch (const annotation::PermissionDenied &error) {
        QVERIFY2(QString::fromUtf8(error.what())
                     .contains(QStringLiteral("ada trained model %1; someone else must sign it "
                                              "off (four eyes)")
                                   .arg(adas)),
                 error.what());
    }
    QCOMPARE(team.lastAudit().outcome, QStringLiteral("denied"));
    QCOMPARE(team.lastAudit().action, QStringLiteral("validate_model"));
    QVERIFY(team.signOff.historyOf(adas).empty());
    // An approval by the trainer that got in anyway (written past the service) does not count.
    storage::ReleaseDecisionRepository(team.temp.workspace->db())
        .add(adas, true, QStringLiteral("sneaked in"), team.ada.actorRef());
    QCOMPARE(annotation::toString(team.signOff.statusOf(adas)), QStringLiteral("approved"));
    QCOMPARE(team.refusalOfPromote(adas),
             QStringLiteral("model %1 was approved by ada, who trained it: someone else must "
                            "approve it (four eyes)")
                 .arg(adas));

    // ML QA approves eve's model: it may serve, and the decision is audited.
    const annotation::ReleaseDecision decision =
        team.signOff.decide(team.quinn, model, true, QStringLiteral("held-out 98.9%"));
    QCOMPARE(decision.decidedBy, QStringLiteral("quinn"));
    QCOMPARE(decision.decidedByUserId, team.quinn.userId);
    QVERIFY(decision.decidedAt.isValid());
    QCOMPARE(team.lastAudit().target, QStringLiteral("model:%1").arg(model));
    QCOMPARE(team.lastAudit().detail, QStringLiteral("approved for release: held-out 98.9%"));
    QVERIFY(!team.registry.promotionBlocker(model));
    team.registry.promote(team.eve, model, QStringLiteral("approved by quinn"));
    QCOMPARE(team.registry.production().value_or(0), model);
    // The admin approves a model someone else trained.
    team.signOff.decide(team.ada, team.train(team.eve), true, {});
}

void tst_ReleaseSignOff::rejectionNeedsACommentAndBlocks()
{
    Team team;
    const qint64 model = team.train(team.eve);
    for (const QString &comment : {QString(), QStringLiteral("  ")}) {
        QVERIFY(testing::throws<annotation::InvalidRequest>(
            [&] { team.signOff.decide(team.quinn, model, false, comment); }));
    }
    QVERIFY(team.signOff.historyOf(model).empty());
    team.signOff.decide(team.quinn, model, false, QStringLiteral("3s read as 5s"));
    QCOMPARE(annotation::toString(team.signOff.statusOf(model)), QStringLiteral("rejected"));
    QVERIFY2(team.refusalOfPromote(model).contains(
                 QStringLiteral("model %1 was rejected for release by quinn").arg(model)),
             qPrintable(team.refusalOfPromote(model)));
    QVERIFY(team.refusalOfPromote(model).contains(QStringLiteral("3s read as 5s")));
    // Fixed and looked at again: the latest decision wins, the history keeps both.
    team.signOff.decide(team.quinn, model, true, QStringLiteral("the 3s were mislabelled"));
    QCOMPARE(annotation::toString(team.signOff.statusOf(model)), QStringLiteral("approved"));
    const std::vector<annotation::ReleaseDecision> history = team.signOff.historyOf(model);
    QCOMPARE(history.size(), 2u);
    QVERIFY(!history[0].approved && history[1].approved);
    QCOMPARE(history[0].comment, QStringLiteral("3s read as 5s"));
    QVERIFY(history[0].id < history[1].id);
    team.registry.promote(team.eve, model, QStringLiteral("approved now"));
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { team.signOff.decide(team.quinn, 99, true, {}); }));
}

void tst_ReleaseSignOff::rollbackNeedsNoApproval()
{
    Team team;
    const qint64 unapproved = team.train(team.eve);
    const qint64 approved = team.train(team.eve);
    // The first one served while the sign-off was waived, and never got an approval.
    team.signOff.setWaived(team.ada, true);
    team.registry.promote(team.eve, unapproved, QStringLiteral("one-person team then"));
    team.signOff.setWaived(team.ada, false);
    team.signOff.decide(team.quinn, approved, true, {});
    team.registry.promote(team.eve, approved, QStringLiteral("approved"));
    QCOMPARE(team.registry.rollBack(team.eve, QStringLiteral("complaints")), unapproved);
    // Moving production by hand to a model that served is a rollback too.
    team.registry.promote(team.eve, approved, QStringLiteral("forward again"));
    team.registry.moveAlias(team.eve, annotation::ProductionAlias, unapproved,
                            QStringLiteral("back by hand"));
    QCOMPARE(team.registry.production().value_or(0), unapproved);
    // Unless ML QA rejected it since: then only rollBack(), the emergency, takes it back.
    team.registry.promote(team.eve, approved, QStringLiteral("forward again"));
    team.signOff.decide(team.quinn, unapproved, false, QStringLiteral("found a flaw"));
    QVERIFY(team.refusalOfPromote(unapproved).contains(QStringLiteral("was rejected")));
    QCOMPARE(team.registry.rollBack(team.eve, QStringLiteral("worse")), unapproved);
}

void tst_ReleaseSignOff::waiverLetsAnyModelServe()
{
    Team team;
    QVERIFY(!team.signOff.waived());
    for (const annotation::Principal &who : {team.eve, team.quinn, team.mia}) {
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { team.signOff.setWaived(who, true); }));
    }
    QVERIFY(!team.signOff.waived());
    team.signOff.setWaived(team.ada, true);
    QVERIFY(team.signOff.waived());
    QCOMPARE(team.lastAudit().detail,
             QStringLiteral("release sign-off waived: production may move to any model"));
    const qint64 mine = team.train(team.eve);
    team.registry.promote(team.eve, mine, QStringLiteral("nobody else here"));
    QCOMPARE(team.registry.production().value_or(0), mine);
    // The warning, where the operator reads a model.
    const testing::CliRun shown = runDigitdeskOn(team.temp.folder(), "models show production");
    QVERIFY2(shown.out.contains(QStringLiteral("release          pending validation (sign-off "
                                               "waived in this workspace: production may move "
                                               "to any model)")),
             qPrintable(shown.out + shown.err));

    team.signOff.setWaived(team.ada, false);
    const qint64 next = team.train(team.eve);
    QVERIFY(team.refusalOfPromote(next).contains(QStringLiteral("has no release approval")));
}

void tst_ReleaseSignOff::waitingReleases()
{
    Team team;
    const qint64 approved = team.train(team.eve);
    const qint64 served = team.train(team.eve);
    const qint64 first = team.train(team.eve);
    const qint64 second = team.train(team.eve);
    team.signOff.decide(team.quinn, approved, true, {});
    team.signOff.setWaived(team.ada, true);
    team.registry.promote(team.eve, served, QStringLiteral("before sign-off"));
    for (const annotation::Principal &who : {team.quinn, team.eve, team.mia, team.ada}) {
        QCOMPARE(team.signOff.waiting(who), (std::vector<qint64>{second, first}));
    }
    QVERIFY(testing::throws<annotation::PermissionDenied>([&] { team.signOff.waiting(team.ann); }));
}

void tst_ReleaseSignOff::decisionsAreAppendOnly()
{
    Team team;
    const qint64 model = team.train(team.eve);
    team.signOff.decide(team.quinn, model, false, QStringLiteral("no"));
    for (const char *sql :
         {"UPDATE release_decisions SET approved = 1", "DELETE FROM release_decisions"}) {
        storage::SqlQuery query(team.temp.workspace->db(), QString::fromLatin1(sql),
                                QStringLiteral("tamper"));
        try {
            query.exec();
            QFAIL(sql);
        } catch (const storage::StorageError &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("append-only")),
                     error.what());
        }
    }
    QCOMPARE(annotation::toString(team.signOff.statusOf(model)), QStringLiteral("rejected"));
}

void tst_ReleaseSignOff::checklist_data()
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

void tst_ReleaseSignOff::checklist()
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

void tst_ReleaseSignOff::checklistSettings()
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

void tst_ReleaseSignOff::commandLine()
{
    Team team;
    const QString ws = team.temp.folder();
    const qint64 model = team.train(team.eve, recordedMetrics());
    const QString id = QString::number(model);
    QCOMPARE(id, QStringLiteral("1"));
    const std::pair<const char *, const char *> usageErrors[] = {
        {"models validate 1", "give one of --approve or --reject"},
        {"models validate 1 --approve --reject", "give one of --approve or --reject"},
        {"models validate 1 --reject",
         "--reject needs --comment TEXT: what is wrong with the model"},
        {"models validate --approve", "missing arguments"}};
    for (const auto &[command, reason] : usageErrors) {
        const testing::CliRun run = runDigitdeskOn(ws, command);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String(reason)), qPrintable(run.err));
    }
    // Options before the subcommand and the id as well as after them.
    testing::CliRun run =
        testing::runDigitdesk({QStringLiteral("models"), QStringLiteral("--comment"),
                               QStringLiteral("3s read as 5s"), QStringLiteral("--reject"),
                               QStringLiteral("validate"), id, QStringLiteral("--workspace"), ws});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString operatorName = annotation::Principal::localOperator().name;
    QCOMPARE(run.out.trimmed(),
             QStringLiteral("Model %1 rejected for release by %2.").arg(id, operatorName));
    run =
        runDigitdeskOn(ws, "models promote", {id, QStringLiteral("--reason"), QStringLiteral("x")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("model %1 was rejected for release").arg(id)),
             qPrintable(run.err));
    run = runDigitdeskOn(ws, "models validate --approve", {id});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = runDigitdeskOn(ws, "models validate 99 --approve");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("there is no model 99")));

    // `models show` prints the status, every decision and the checklist on recorded figures.
    run = runDigitdeskOn(ws, "models show", {id});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    for (const QString &expected :
         {QStringLiteral("release          approved\n"),
          QStringLiteral(" rejected by %1: 3s read as 5s\n").arg(operatorName),
          QStringLiteral(" approved by %1\n").arg(operatorName),
          QStringLiteral("checklist        on the held-out split the trainer measured (200 "
                         "images)"),
          QStringLiteral("  pass  held-out accuracy: 98.50% (95% interval"),
          QStringLiteral("  pass  calibration error (ECE): 0.021 (at most 0.050)"),
          QStringLiteral("  FAIL  recall of every class: below the floor: 3 at 85.00% (at least "
                         "90.00% for each digit)")}) {
        QVERIFY2(run.out.contains(expected), qPrintable(expected + QStringLiteral("\n") + run.out));
    }
    QVERIFY(run.out.indexOf(QStringLiteral("rejected by")) <
            run.out.indexOf(QStringLiteral("approved by")));
    // The workspace sets the floor; out of range is a usage error.
    run = runDigitdeskOn(ws, "settings set release.class_floor 1.5");
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("release.class_floor takes a number from 0 to 1")));
    run = runDigitdeskOn(ws, "settings set release.signoff_waived yes");
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(runDigitdeskOn(ws, "settings set release.class_floor 0.8").exitCode, 0);
    run = runDigitdeskOn(ws, "models show", {id});
    QVERIFY2(run.out.contains(QStringLiteral("  pass  recall of every class: lowest: 3 at 85.00%")),
             qPrintable(run.out));
    run = runDigitdeskOn(ws, "settings list");
    QVERIFY(run.out.contains(QStringLiteral("release.class_floor = 0.8")));
    QVERIFY(run.out.contains(QStringLiteral("release.signoff_waived = 0")));

    run =
        runDigitdeskOn(ws, "models promote", {id, QStringLiteral("--reason"), QStringLiteral("x")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    // The operator trained this one: the operator may not approve it.
    const qint64 own = team.train(annotation::Principal::localOperator());
    run = runDigitdeskOn(ws, "models validate --approve", {QString::number(own)});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QStringLiteral("%1 trained model %2").arg(operatorName).arg(own)),
             qPrintable(run.err));
    // Nor under another name: the operator is the process's user, not what $USER says.
    QProcess forged;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("USER"), QStringLiteral("mallory"));
    forged.setProcessEnvironment(environment);
    forged.start(QStringLiteral(DIGITDESK_BINARY),
                 {QStringLiteral("models"), QStringLiteral("validate"), QString::number(own),
                  QStringLiteral("--approve"), QStringLiteral("--workspace"), ws});
    QVERIFY(forged.waitForFinished(120000));
    QCOMPARE(forged.exitCode(), 3);
    QVERIFY(!forged.readAllStandardOutput().contains("mallory"));
    run = runDigitdeskOn(ws, "models show", {QString::number(own)});
    QVERIFY2(run.out.contains(QStringLiteral("checklist        not checked")), qPrintable(run.out));
    QVERIFY2(!run.out.contains(QStringLiteral("approved by")), qPrintable(run.out));
}

QTEST_GUILESS_MAIN(tst_ReleaseSignOff)
#include "tst_releasesignoff.moc"
