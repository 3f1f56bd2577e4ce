#include "tests/support/clirun.h"

using namespace digitdesk;
using namespace digitdesk::testing;

// Models from the command line: train, register, promote and predict; a run cancelled by SIGINT.
class tst_CliModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainRegisterPromotePredict();
    void trainingCancelsOnSigint();

private:
    QTemporaryDir m_dir;
};

void tst_CliModels::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
}

void tst_CliModels::trainRegisterPromotePredict()
{
    const QString folder = m_dir.filePath(QStringLiteral("models"));
    const QStringList at{QStringLiteral("--workspace"), folder};
    QCOMPARE(runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), folder}).exitCode,
             0);
    const QString images = testing::demoDataFile(QStringLiteral("demo-incoming-images-idx3-ubyte"));

    CliRun run = runDigitdesk(QStringList{QStringLiteral("train"), QStringLiteral("--data"), images,
                                          QStringLiteral("--epochs"), QStringLiteral("2"),
                                          QStringLiteral("--json-progress"),
                                          QStringLiteral("--threads"), QStringLiteral("2")} +
                              at);
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 3);
    // The run announces itself, then reports progress.
    QCOMPARE(QJsonDocument::fromJson(lines.first().toUtf8())
                 .object()
                 .value(QStringLiteral("event"))
                 .toString(),
             QStringLiteral("started"));
    const QJsonObject progress = QJsonDocument::fromJson(lines.at(1).toUtf8()).object();
    for (const char *key :
         {"epoch", "step", "loss", "accuracy", "images_per_second", "eta_seconds"}) {
        QVERIFY2(progress.contains(QLatin1String(key)), key);
    }
    const QJsonObject registered = QJsonDocument::fromJson(lines.last().toUtf8()).object();
    QCOMPARE(registered.value(QStringLiteral("event")).toString(), QStringLiteral("registered"));
    QCOMPARE(registered.value(QStringLiteral("model_id")).toInt(), 1);
    QVERIFY(registered.value(QStringLiteral("metrics"))
                .toObject()
                .value(QStringLiteral("validation"))
                .toObject()
                .value(QStringLiteral("accuracy"))
                .toDouble() > 0.5);

    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("alias"),
                                   QStringLiteral("1"), QStringLiteral("production")} +
                       at);
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("--reason")));
    const QStringList alias{QStringLiteral("models"),   QStringLiteral("alias"),
                            QStringLiteral("1"),        QStringLiteral("production"),
                            QStringLiteral("--reason"), QStringLiteral("first model")};
    // Nobody approved it for release; a one-person team waives the sign-off.
    run = runDigitdesk(alias + at);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("model 1 has no release approval")),
             qPrintable(run.err));
    run = runDigitdesk(QStringList{QStringLiteral("settings"), QStringLiteral("set"),
                                   QStringLiteral("release.signoff_waived"), QStringLiteral("1")} +
                       at);
    QCOMPARE(run.exitCode, 0);
    run = runDigitdesk(alias + at);
    QCOMPARE(run.exitCode, 0);
    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("list")} + at);
    QVERIFY2(run.out.contains(QStringLiteral("[production]")), qPrintable(run.out));
    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("history")} + at);
    QVERIFY(run.out.contains(QStringLiteral("production  none -> 1")));
    QVERIFY(run.out.contains(QStringLiteral("first model")));
    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("show"),
                                   QStringLiteral("production")} +
                       at);
    QVERIFY(run.out.contains(QStringLiteral("training run     1")));
    QVERIFY(run.out.contains(QStringLiteral("temperature")));

    // New scans get the production model's predictions as they are imported.
    for (int i = 0; i < 3; ++i) {
        QVERIFY(testing::writeFile(
            m_dir.filePath(QStringLiteral("new/%1.png").arg(i)),
            testing::encodeRing(QStringLiteral("png"), 80, 80, 40, 40, 15 + 3 * i, true)));
    }
    run = runDigitdesk(
        QStringList{QStringLiteral("import"), m_dir.filePath(QStringLiteral("new"))} + at);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("production model 1 for 3 unlabelled image(s)")),
             qPrintable(run.out));

    run = runDigitdesk(
        QStringList{QStringLiteral("predict"), m_dir.filePath(QStringLiteral("new/0.png"))} + at);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("0.png: ")) && run.out.contains(QStringLiteral("p=")),
             qPrintable(run.out));

    run = runDigitdesk(QStringList{QStringLiteral("eval"), QStringLiteral("--model"),
                                   QStringLiteral("1"), QStringLiteral("--data"), images} +
                       at);
    QCOMPARE(run.exitCode, 0);
    for (const char *expected : {"accuracy", "nearest centroid", "majority class", "ECE (15 bins)",
                                 "after temperature scaling", "confusion"}) {
        QVERIFY2(run.out.contains(QLatin1String(expected)), expected);
    }

    const QString peer = m_dir.filePath(QStringLiteral("peer.pt"));
    const QString five = m_dir.filePath(QStringLiteral("five.pt"));
    QVERIFY(testing::runPython(testing::peerScript(QStringLiteral("make_model.py")), {peer}));
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_wrong_model.py")),
                               {five, m_dir.filePath(QStringLiteral("flat.pt"))}));
    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("import"), peer} + at);
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("Registered model 2")));
    run = runDigitdesk(QStringList{QStringLiteral("models"), QStringLiteral("import"), five} + at);
    QCOMPARE(run.exitCode, 2);
    // Five classes, not ten: refused by the check in its sandbox, before anything is stored.
    QVERIFY2(run.err.contains(QStringLiteral("answers [1, 5]")) &&
                 run.err.contains(QStringLiteral("not [1, 10] logits")),
             qPrintable(run.err));
    run = runDigitdesk(QStringList{QStringLiteral("train"), QStringLiteral("--data"), images,
                                   QStringLiteral("--device"), QStringLiteral("cuda")} +
                       at);
    if (!QFile::exists(QStringLiteral("/dev/nvidia0"))) {
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("cuda was asked for")), qPrintable(run.err));
    }
}

void tst_CliModels::trainingCancelsOnSigint()
{
    const QString folder = m_dir.filePath(QStringLiteral("cancel"));
    QCOMPARE(runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), folder}).exitCode,
             0);
    QProcess process;
    process.start(QStringLiteral(DIGITDESK_BINARY),
                  {QStringLiteral("train"), QStringLiteral("--data"),
                   testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")),
                   QStringLiteral("--epochs"), QStringLiteral("50"),
                   QStringLiteral("--json-progress"), QStringLiteral("--workspace"), folder});
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(process.canReadLine(), 60000);
    QElapsedTimer timer;
    timer.start();
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(10000));
    QVERIFY2(timer.elapsed() < 1000 * testing::SanitizerTimeFactor,
             qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 6);
    QVERIFY(process.readAllStandardOutput().contains("\"event\":\"cancelled\""));
    const auto workspace = storage::Workspace::open(folder);
    storage::SqlQuery runs(workspace->db(), QStringLiteral("SELECT status FROM training_runs"),
                           QStringLiteral("read runs"));
    runs.exec();
    QVERIFY(runs.next());
    QCOMPARE(runs.value(0).toString(), QStringLiteral("cancelled"));
    storage::SqlQuery models(workspace->db(), QStringLiteral("SELECT COUNT(*) FROM models"),
                             QStringLiteral("count models"));
    models.exec();
    QVERIFY(models.next());
    QCOMPARE(models.value(0).toInt(), 0);
    QVERIFY(
        QDir(workspace->modelsPath()).entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty());
}

QTEST_GUILESS_MAIN(tst_CliModels)
#include "tst_climodels.moc"
