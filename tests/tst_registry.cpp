#include "annotation/accesscontrol.h"
#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "annotation/userservice.h"
#include "models/flopcount.h"
#include "models/predictor.h"
#include "storage/auditlog.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/trainingrunrepository.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace digitdesk;
using annotation::Role;

class tst_Registry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void registersATrainedModelWithItsFile();
    void aliasesAndTheirHistory();
    void promoteAndRollBack();
    void promoteAndRollBackRefusals_data();
    void promoteAndRollBackRefusals();
    void onlyEngineersAndAdminsChangeTheRegistry();
    void damagedFileIsRefused();
    void torchScriptImport();
    void predictionsForUnlabelledImages();

private:
    std::unique_ptr<testing::TempWorkspace> m_temp;
    annotation::Principal m_engineer;
    std::unique_ptr<annotation::ModelRegistry> m_registry;

    qint64 registerUntrained(const QString &name)
    {
        const QString file = m_temp->dir.filePath(name);
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = m_registry->beginTraining(
            m_engineer, QStringLiteral("fixture"), QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.temperature = 1.5;
        trained.metrics = QStringLiteral("{\"validation\":{\"accuracy\":0.5}}");
        trained.dataDigest = QStringLiteral("digest");
        return m_registry->registerTrained(m_engineer, run, trained);
    }
    qint64 scalar(const QString &sql) const
    {
        storage::SqlQuery query(m_temp->workspace->db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
};

void tst_Registry::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_engineer = testing::addUser(*m_temp->workspace, QStringLiteral("eve"), Role::MlEngineer);
    // The registry's own rules here; sign-off has tst_releasesignoff.
    testing::waiveSignOff(*m_temp->workspace);
    m_registry = std::make_unique<annotation::ModelRegistry>(m_temp->workspace->db(),
                                                             m_temp->workspace->root());
    m_registry->setImportCheck(annotation::ModelImportCheck(QStringLiteral(DIGITDESK_BINARY)));
}

void tst_Registry::cleanup()
{
    m_registry.reset();
    m_temp.reset();
}

void tst_Registry::registersATrainedModelWithItsFile()
{
    const qint64 id = registerUntrained(QStringLiteral("trained.pt"));
    const storage::ModelRecord model = m_registry->find(id);
    QCOMPARE(model.filePath, QStringLiteral("models/%1.pt").arg(id));
    QVERIFY(QFile::exists(m_registry->absolutePath(model)));
    QVERIFY(
        !QFile::exists(m_temp->dir.filePath(QStringLiteral("trained.pt")))); // moved, not copied
    QCOMPARE(model.fileSha256,
             annotation::ModelRegistry::fileDigest(m_registry->absolutePath(model)));
    QCOMPARE(model.temperature, 1.5);
    QCOMPARE(model.createdBy, QStringLiteral("eve"));
    const auto run =
        storage::TrainingRunRepository(m_temp->workspace->db()).find(model.trainingRunId);
    QCOMPARE(run->status, QStringLiteral("finished"));
    QVERIFY(run->finishedAt.isValid());
    QCOMPARE(run->modelId, id);
    QVERIFY(run->metrics.contains(QStringLiteral("\"accuracy\":0.5")));
    // Loads through the digest check, with the stored temperature.
    QCOMPARE(m_registry->openPredictor(id, models::DeviceRequest::Cpu)->temperature(), 1.5);
    // Models are never deleted.
    QVERIFY(scalar(QStringLiteral("SELECT COUNT(*) FROM models")) == 1);
    storage::SqlQuery remove(m_temp->workspace->db(), QStringLiteral("DELETE FROM models"),
                             QStringLiteral("delete a model"));
    QVERIFY(testing::throws<storage::StorageError>([&] { remove.exec(); }));
}

void tst_Registry::aliasesAndTheirHistory()
{
    const qint64 first = registerUntrained(QStringLiteral("a.pt"));
    const qint64 second = registerUntrained(QStringLiteral("b.pt"));
    QVERIFY(!m_registry->production());
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { m_registry->resolve(QStringLiteral("production")); }));
    m_registry->moveAlias(m_engineer, annotation::ProductionAlias, first,
                          QStringLiteral("first model"));
    // The first move's own instant; the next move is recorded at a later millisecond.
    const QDateTime betweenMoves = m_registry->history().front().movedAt;
    QTRY_VERIFY(QDateTime::currentDateTimeUtc() > betweenMoves);
    m_registry->moveAlias(m_engineer, annotation::ProductionAlias, second,
                          QStringLiteral("better on the held-out split"));
    m_registry->moveAlias(m_engineer, annotation::CandidateAlias, first,
                          QStringLiteral("to compare"));
    m_registry->moveAlias(m_engineer, annotation::ProductionAlias, first,
                          QStringLiteral("rollback: complaints"));
    QCOMPARE(*m_registry->production(), first);
    QCOMPARE(m_registry->resolve(QStringLiteral("candidate")), first);
    const auto history = m_registry->history();
    QCOMPARE(history.size(), 4u);
    QCOMPARE(history[1].fromModelId, first);
    QCOMPARE(history[1].toModelId, second);
    QCOMPARE(history[3].reason, QStringLiteral("rollback: complaints"));
    QCOMPARE(history[3].movedBy, QStringLiteral("eve"));
    QCOMPARE(*storage::ModelRepository(m_temp->workspace->db())
                  .aliasTargetAt(annotation::ProductionAlias, betweenMoves),
             first);
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        m_registry->moveAlias(m_engineer, QStringLiteral("staging"), first, QStringLiteral("x"));
    }));
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        m_registry->moveAlias(m_engineer, annotation::ProductionAlias, first, QStringLiteral(" "));
    }));
    QVERIFY(testing::throws<annotation::InvalidRequest>([&] {
        m_registry->moveAlias(m_engineer, annotation::ProductionAlias, 99,
                              QStringLiteral("no such"));
    }));
    storage::SqlQuery rewrite(
        m_temp->workspace->db(),
        QStringLiteral("UPDATE model_alias_moves SET reason = 'nothing happened'"),
        QStringLiteral("rewrite history"));
    QVERIFY(testing::throws<storage::StorageError>([&] { rewrite.exec(); }));
}

void tst_Registry::promoteAndRollBack()
{
    const qint64 first = registerUntrained(QStringLiteral("a.pt"));
    const qint64 second = registerUntrained(QStringLiteral("b.pt"));
    const qint64 third = registerUntrained(QStringLiteral("c.pt"));
    m_registry->promote(m_engineer, first, QStringLiteral("the first model"));
    m_registry->promote(m_engineer, second, QStringLiteral("better on v2"));
    m_registry->moveAlias(m_engineer, annotation::CandidateAlias, third, QStringLiteral("to try"));
    m_registry->promote(m_engineer, third, QStringLiteral("better on v3"));
    QCOMPARE(*m_registry->production(), third);

    // Each rollback undoes one promotion: back to the second, then the first, never forward.
    QCOMPARE(m_registry->rollBack(m_engineer, QStringLiteral("complaints about 7s")), second);
    QCOMPARE(*m_registry->production(), second);
    QCOMPARE(m_registry->rollBack(m_engineer, QStringLiteral("the second is no better")), first);
    QCOMPARE(*m_registry->production(), first);
    try {
        m_registry->rollBack(m_engineer, QStringLiteral("once more"));
        QFAIL("rolled back past the first production model");
    } catch (const annotation::InvalidRequest &error) {
        QVERIFY2(
            QString::fromUtf8(error.what()).contains(QStringLiteral("nothing to roll back to")),
            error.what());
    }
    QCOMPARE(*m_registry->production(), first);

    // Every move is in the append-only history with who and why; candidate moves are apart.
    std::vector<storage::AliasMove> production;
    for (const storage::AliasMove &move : m_registry->history()) {
        if (move.alias == annotation::ProductionAlias) {
            production.push_back(move);
        }
    }
    QCOMPARE(production.size(), 5u);
    QCOMPARE(production[3].fromModelId, third);
    QCOMPARE(production[3].toModelId, second);
    QCOMPARE(production[3].reason, QStringLiteral("complaints about 7s"));
    QCOMPARE(production[3].movedBy, QStringLiteral("eve"));
    QCOMPARE(production[4].toModelId, first);
    QCOMPARE(production[4].reason, QStringLiteral("the second is no better"));
    QCOMPARE(m_registry->resolve(annotation::CandidateAlias), third);
    const storage::AuditEntry audit = storage::AuditLog(m_temp->workspace->db()).latest(1).front();
    QCOMPARE(audit.action, QStringLiteral("move_model_alias"));
    QCOMPARE(audit.actor, QStringLiteral("eve"));
    QVERIFY2(audit.detail.contains(QStringLiteral("the second is no better")),
             qPrintable(audit.detail));

    // Promoting again after a rollback starts a new line: its rollback returns to `first`.
    m_registry->promote(m_engineer, third, QStringLiteral("fixed by retraining"));
    QCOMPARE(m_registry->rollBack(m_engineer, QStringLiteral("not fixed")), first);
}

void tst_Registry::promoteAndRollBackRefusals_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("expected");
    QTest::newRow("promote without a reason") << "promote-no-reason"
                                              << "needs a reason";
    QTest::newRow("promote what is production") << "promote-same"
                                                << "in production already";
    QTest::newRow("promote no such model") << "promote-missing"
                                           << "there is no model 99";
    QTest::newRow("roll back without a reason") << "rollback-no-reason"
                                                << "needs a reason";
    QTest::newRow("roll back the first") << "rollback-first"
                                         << "nothing to roll back to";
    QTest::newRow("roll back with no production") << "rollback-none"
                                                  << "no model is production";
}

void tst_Registry::promoteAndRollBackRefusals()
{
    QFETCH(QString, operation);
    QFETCH(QString, expected);
    const qint64 id = registerUntrained(QStringLiteral("m.pt"));
    if (operation != QStringLiteral("rollback-none")) {
        m_registry->promote(m_engineer, id, QStringLiteral("the first"));
    }
    const qint64 moves = scalar(QStringLiteral("SELECT COUNT(*) FROM model_alias_moves"));
    try {
        if (operation == QStringLiteral("promote-no-reason")) {
            m_registry->promote(m_engineer, id, QStringLiteral("  "));
        } else if (operation == QStringLiteral("promote-same")) {
            m_registry->promote(m_engineer, id, QStringLiteral("again"));
        } else if (operation == QStringLiteral("promote-missing")) {
            m_registry->promote(m_engineer, 99, QStringLiteral("no such"));
        } else if (operation == QStringLiteral("rollback-no-reason")) {
            m_registry->rollBack(m_engineer, {});
        } else {
            m_registry->rollBack(m_engineer, QStringLiteral("why not"));
        }
        QFAIL("not refused");
    } catch (const annotation::InvalidRequest &error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(expected), error.what());
    }
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM model_alias_moves")), moves);
}

void tst_Registry::onlyEngineersAndAdminsChangeTheRegistry()
{
    const qint64 id = registerUntrained(QStringLiteral("m.pt"));
    const QString peer = m_temp->dir.filePath(QStringLiteral("peer.pt"));
    QVERIFY(testing::runPython(testing::peerScript(QStringLiteral("make_model.py")), {peer}));
    for (Role role : {Role::Annotator, Role::Reviewer}) {
        const auto who = testing::addUser(*m_temp->workspace, annotation::toString(role), role);
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] {
            m_registry->beginTraining(who, QStringLiteral("x"), QStringLiteral("d"),
                                      QStringLiteral("{}"));
        }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { m_registry->importTorchScript(who, peer, {}); }));
        QVERIFY(testing::throws<annotation::PermissionDenied>([&] {
            m_registry->moveAlias(who, annotation::ProductionAlias, id, QStringLiteral("x"));
        }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { m_registry->promote(who, id, QStringLiteral("x")); }));
        QVERIFY(testing::throws<annotation::PermissionDenied>(
            [&] { m_registry->rollBack(who, QStringLiteral("x")); }));
        QCOMPARE(storage::AuditLog(m_temp->workspace->db()).latest(1).front().outcome,
                 QStringLiteral("denied"));
    }
    QVERIFY(!m_registry->production());
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM models")), 1);
    const auto admin = testing::addUser(*m_temp->workspace, QStringLiteral("ada"), Role::Admin);
    m_registry->moveAlias(admin, annotation::ProductionAlias, id, QStringLiteral("admin may"));
    QCOMPARE(*m_registry->production(), id);
    QCOMPARE(storage::AuditLog(m_temp->workspace->db()).latest(1).front().action,
             QStringLiteral("move_model_alias"));
}

void tst_Registry::damagedFileIsRefused()
{
    const qint64 good = registerUntrained(QStringLiteral("good.pt"));
    const qint64 bad = registerUntrained(QStringLiteral("bad.pt"));
    m_registry->moveAlias(m_engineer, annotation::ProductionAlias, good, QStringLiteral("works"));
    const QString path = m_registry->absolutePath(m_registry->find(bad));
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    file.write("tampered");
    file.close();
    try {
        m_registry->openPredictor(bad, models::DeviceRequest::Cpu);
        QFAIL("a damaged model was loaded");
    } catch (const annotation::ModelRefused &error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(path) &&
                     message.contains(QStringLiteral("changed since it was registered")),
                 error.what());
    }
    QVERIFY(testing::throws<annotation::ModelRefused>([&] {
        m_registry->moveAlias(m_engineer, annotation::ProductionAlias, bad, QStringLiteral("try"));
    }));
    QCOMPARE(*m_registry->production(), good); // the previous production model stays
    QFile::remove(path);
    QVERIFY(testing::throws<annotation::ModelRefused>(
        [&] { m_registry->openPredictor(bad, models::DeviceRequest::Cpu); }));
}

void tst_Registry::torchScriptImport()
{
    const QString peer = m_temp->dir.filePath(QStringLiteral("peer.pt"));
    const QString five = m_temp->dir.filePath(QStringLiteral("five.pt"));
    const QString flat = m_temp->dir.filePath(QStringLiteral("flat.pt"));
    QVERIFY(testing::runPython(testing::peerScript(QStringLiteral("make_model.py")), {peer}));
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_wrong_model.py")),
                               {five, flat}));
    const qint64 id =
        m_registry->importTorchScript(m_engineer, peer, QStringLiteral("the peer's network"));
    const storage::ModelRecord model = m_registry->find(id);
    QCOMPARE(model.architecture, QStringLiteral("torchscript"));
    QCOMPARE(model.sourceDigest, annotation::ModelRegistry::fileDigest(peer));
    QVERIFY(QFile::exists(peer)); // the user's file stays where it was
    const QByteArray digit = testing::ringPixels(1);
    QCOMPARE(m_registry->openPredictor(id, models::DeviceRequest::Cpu)
                 ->predict(reinterpret_cast<const uint8_t *>(digit.constData()), 1)
                 .size(),
             1u);
    for (const QString &wrong : {five, flat}) {
        try {
            m_registry->importTorchScript(m_engineer, wrong, {});
            QFAIL("a wrong-shaped model was imported");
        } catch (const annotation::ModelRefused &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(wrong), error.what());
        }
    }
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM models")), 1);
}

void tst_Registry::predictionsForUnlabelledImages()
{
    QByteArray pixels;
    for (int i = 0; i < 700; ++i) {
        pixels += testing::ringPixels(i);
    }
    QDir().mkpath(m_temp->dir.filePath(QStringLiteral("in")));
    annotation::writeIdxFile(m_temp->dir.filePath(QStringLiteral("in/new-images-idx3-ubyte")),
                             {700, 28, 28}, pixels);
    annotation::Importer(m_temp->workspace->db(), m_temp->workspace->blobs(), m_engineer)
        .run({m_temp->dir.filePath(QStringLiteral("in"))}, {});
    // No production model yet: nothing to do, no error.
    QCOMPARE(
        annotation::updatePredictions(m_temp->workspace->db(), m_temp->workspace->root()).modelId,
        0);
    const qint64 id = registerUntrained(QStringLiteral("p.pt"));
    m_registry->moveAlias(m_engineer, annotation::ProductionAlias, id, QStringLiteral("go"));
    qint64 lastDone = 0;
    const auto update =
        annotation::updatePredictions(m_temp->workspace->db(), m_temp->workspace->root(),
                                      models::DeviceRequest::Cpu, [&](qint64 done, qint64 total) {
                                          QCOMPARE(total, 700);
                                          lastDone = done;
                                      });
    QCOMPARE(update.modelId, id);
    QCOMPARE(update.predicted, 700);
    QCOMPARE(lastDone, 700);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM predictions WHERE model_id = %1").arg(id)),
             700);
    const auto stored = storage::PredictionRepository(m_temp->workspace->db()).forImage(1);
    QCOMPARE(stored.size(), 1u);
    float sum = 0;
    for (float p : stored.front().probabilities) {
        sum += p;
    }
    QVERIFY(std::abs(sum - 1.0F) < 1e-3F);
    QCOMPARE(
        annotation::updatePredictions(m_temp->workspace->db(), m_temp->workspace->root()).predicted,
        0);
}

QTEST_GUILESS_MAIN(tst_Registry)
#include "tst_registry.moc"
