#include "tests/support/releasefixture.h"

using namespace digitdesk;
using annotation::Role;
using testing::runDigitdeskOn;
using namespace digitdesk::testing::release;

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
