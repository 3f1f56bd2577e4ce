// `digitdesk models import` as an engineer runs it, on TorchScript files whose code misbehaves:
// each is run in a confined child before anything is registered, and a refusal leaves neither a
// registry row nor a file in the workspace.
#include "annotation/modelimportcheck.h"
#include "annotation/modelrefused.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/testdata.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace digitdesk;

class tst_ModelImport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void importsAGoodModelFromTheBytesItChecked();
    void refusesAndLeavesNothing_data();
    void refusesAndLeavesNothing();
    void aModelThatWritesAFileIsStoppedByTheSandbox();
    void theCheckerForbidsWritesItself();
    void aCrashedCheckNamesTheSignal();

private:
    qint64 scalar(const QString &sql) const
    {
        storage::SqlQuery query(m_temp->workspace->db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    QStringList modelsFolder() const
    {
        return QDir(m_temp->folder() + QStringLiteral("/models"))
            .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    }
    testing::CliRun import(const QString &file, const QStringList &options = {}) const
    {
        return testing::runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("import"),
                                                 file, QStringLiteral("--workspace"),
                                                 m_temp->folder()} +
                                     options);
    }

    QTemporaryDir m_fixtures;
    std::unique_ptr<testing::TempWorkspace> m_temp;
};

void tst_ModelImport::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_served_models.py")),
                               {m_fixtures.path()}));
    // writes.pt aims at a file in the first test workspace's models/ folder.
    QVERIFY(testing::runPython(
        testing::fixtureScript(QStringLiteral("make_hostile_models.py")),
        {m_fixtures.path(), m_fixtures.filePath(QStringLiteral("victim/models/planted.bin"))}));
    QFile good(m_fixtures.filePath(QStringLiteral("sure7.pt")));
    QVERIFY(good.open(QIODevice::ReadOnly));
    const QByteArray bytes = good.readAll();
    QVERIFY(testing::writeFile(m_fixtures.filePath(QStringLiteral("truncated.pt")),
                               bytes.left(bytes.size() / 2)));
}

void tst_ModelImport::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
}

void tst_ModelImport::cleanup()
{
    m_temp.reset();
}

void tst_ModelImport::importsAGoodModelFromTheBytesItChecked()
{
    const QString file = m_fixtures.filePath(QStringLiteral("sure7.pt"));
    const testing::CliRun run = import(file, {QStringLiteral("--note"), QStringLiteral("peer")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("Registered model 1 from %1").arg(file)),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("finite [N, 10] logits for batches of 1, 2 and 7")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("Landlock ABI")), qPrintable(run.out));

    QFile source(file);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    QFile stored(m_temp->folder() + QStringLiteral("/models/1.pt"));
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), bytes);
    QCOMPARE(modelsFolder(), QStringList{QStringLiteral("1.pt")});
    storage::SqlQuery row(m_temp->workspace->db(),
                          QStringLiteral("SELECT file_sha256, architecture FROM models"),
                          QStringLiteral("test"));
    row.exec();
    QVERIFY(row.next());
    QCOMPARE(
        row.value(0).toString(),
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(row.value(1).toString(), QStringLiteral("torchscript"));
    // What was registered answers: the registry loads the bytes it holds the digest of.
    const testing::CliRun shown = testing::runDigitdeskOn(m_temp->folder(), "models show 1");
    QVERIFY2(shown.exitCode == 0, qPrintable(shown.err));
}

void tst_ModelImport::refusesAndLeavesNothing_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QStringList>("reasons"); // any one of them

    QTest::newRow("NaN logits on full ink")
        << QStringLiteral("nan3.pt") << QStringList()
        << QStringList{QStringLiteral("the model answered NaN/inf for a batch of 1 image")};
    QTest::newRow("shape follows not the batch")
        << QStringLiteral("batchshape.pt") << QStringList()
        << QStringList{QStringLiteral("answers [1, 10] for a batch of 2 images (zeros), not "
                                      "[2, 10] logits: its output shape depends on the batch")};
    QTest::newRow("raises on full ink")
        << QStringLiteral("fails3.pt") << QStringList()
        << QStringList{
               QStringLiteral("it fails on 1 image(s) of noise: builtins.RuntimeError: this "
                              "model fails on full ink")};
    QTest::newRow("truncated file") << QStringLiteral("truncated.pt") << QStringList()
                                    << QStringList{QStringLiteral("it fails to load: ")};
    QTest::newRow("endless loop")
        << QStringLiteral("loops.pt")
        << QStringList{QStringLiteral("--check-seconds"), QStringLiteral("4")}
        << QStringList{QStringLiteral("model check timed out after 4 s: the model was stopped")};
    QTest::newRow("16 GB of tensors")
        << QStringLiteral("hog.pt")
        << QStringList{QStringLiteral("--check-memory-mb"), QStringLiteral("2048")}
        << QStringList{QStringLiteral("out of memory: it needs more than the check allows "
                                      "(2048 MB)"),
                       QStringLiteral("out of memory (the check allows 2048 MB)")};
    QTest::newRow("missing file") << QStringLiteral("absent.pt") << QStringList()
                                  << QStringList{QStringLiteral("is not a file")};
}

void tst_ModelImport::refusesAndLeavesNothing()
{
    QFETCH(QString, file);
    QFETCH(QStringList, options);
    QFETCH(QStringList, reasons);
    const QString path = m_fixtures.filePath(file);
    QElapsedTimer clock;
    clock.start();
    const testing::CliRun run = import(path, options);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(path), qPrintable(run.err));
    bool named = false;
    for (const QString &reason : reasons) {
        named = named || run.err.contains(reason);
    }
    QVERIFY2(named, qPrintable(run.err));
    QVERIFY(!run.out.contains(QStringLiteral("Registered")));
    QVERIFY2(clock.elapsed() < 60000, "the limits did not stop the check");
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM models")), 0);
    QCOMPARE(modelsFolder(), QStringList());
}

void tst_ModelImport::aModelThatWritesAFileIsStoppedByTheSandbox()
{
    // The workspace writes.pt aims at, so the file it plants would land in models/.
    m_temp.reset();
    const QString folder = m_fixtures.filePath(QStringLiteral("victim"));
    auto workspace = storage::Workspace::create(folder);
    const QString planted = folder + QStringLiteral("/models/planted.bin");
    const QString model = m_fixtures.filePath(QStringLiteral("writes.pt"));

    const testing::CliRun run =
        testing::runDigitdesk({QStringLiteral("models"), QStringLiteral("import"), model,
                               QStringLiteral("--workspace"), folder});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(
        run.err.contains(QStringLiteral("refused %1: it fails on 1 image(s) of zeros").arg(model)),
        qPrintable(run.err));
    QVERIFY2(!QFile::exists(planted), qPrintable(run.err));
    storage::SqlQuery count(workspace->db(), QStringLiteral("SELECT COUNT(*) FROM models"),
                            QStringLiteral("test"));
    count.exec();
    QVERIFY(count.next());
    QCOMPARE(count.value(0).toInt(), 0);

    // Unconfined, the same file does plant it: the refusal above was the sandbox's doing.
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_hostile_models.py")),
                               {QStringLiteral("run"), model}));
    QVERIFY(QFile::exists(planted));
}

void tst_ModelImport::theCheckerForbidsWritesItself()
{
    const QString folder = m_temp->folder();
    const testing::CliRun run = testing::runDigitdesk(
        {QStringLiteral("model-check"), QStringLiteral("--try-write"), folder});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    const QJsonObject sandbox = report.value(QStringLiteral("sandbox")).toObject();
    if (!sandbox.value(QStringLiteral("landlock")).toBool()) {
        QSKIP(qPrintable(sandbox.value(QStringLiteral("description")).toString()));
    }
    QVERIFY2(!QFile::exists(folder + QStringLiteral("/written-by-model-check")),
             qPrintable(run.out));
    QVERIFY2(report.value(QStringLiteral("write")).toString().startsWith(QStringLiteral("refused")),
             qPrintable(run.out));
}

void tst_ModelImport::aCrashedCheckNamesTheSignal()
{
    // A checker that dies as LibTorch would on a bad pointer in a model file.
    const QString crasher = m_fixtures.filePath(QStringLiteral("crasher.sh"));
    QVERIFY(testing::writeFile(crasher, "#!/bin/sh\ncat > /dev/null\nkill -SEGV $$\n"));
    QVERIFY(QFile::setPermissions(crasher, QFile::ReadOwner | QFile::ExeOwner));
    try {
        annotation::ModelImportCheck(crasher).check("bytes", QStringLiteral("crash.pt"));
        QFAIL("a crashed check passed");
    } catch (const annotation::ModelRefused &error) {
        QVERIFY2(QString::fromUtf8(error.what())
                     .startsWith(QStringLiteral("refused crash.pt: the model check crashed with "
                                                "SIGSEGV (Segmentation fault)")),
                 error.what());
    }
}

QTEST_GUILESS_MAIN(tst_ModelImport)
#include "tst_modelimport.moc"
