#include "annotation/role.h"
#include "models/backendloader.h"
#include "models/computedevice.h"
#include "models/evaluation.h"
#include "models/flopcount.h"
#include "models/predictor.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testdata.h"

#include <QFile>
#include <QProcess>
#include <QTest>

#include <stdexcept>

using namespace digitdesk;

namespace {

const QString Nowhere = QStringLiteral("/nonexistent/libdigitdesk_torch.so");

// The real binary with DIGITDESK_TORCH_MODULE pointing nowhere: a command that loads LibTorch
// fails, one that does not never notices.
testing::CliRun runWithoutTorch(const QStringList &arguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    environment.insert(QStringLiteral("DIGITDESK_TORCH_MODULE"), Nowhere);
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString describe(const testing::CliRun &run)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

// What the error says when the module cannot be loaded: which module, and where it looked.
void checkNamesTheModule(const QString &message)
{
    for (const QString &part :
         {QStringLiteral("LibTorch"), QStringLiteral("libdigitdesk_torch.so"), Nowhere,
          QStringLiteral("DIGITDESK_TORCH_MODULE"), QStringLiteral("RUNPATH")}) {
        QVERIFY2(message.contains(part), qPrintable(part + QStringLiteral(" not in: ") + message));
    }
}

} // namespace

// LibTorch is a module opened at the first call that needs it (models/backendloader.h): what a
// command or a view does without a network never loads it.
class tst_LazyTorch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainCallsDoNotLoadIt();
    void aMissingModuleIsNamedInTheError();
    void theFirstCallThatNeedsItLoadsIt();
    void commandsWithoutAModelRunWithoutIt_data();
    void commandsWithoutAModelRunWithoutIt();
    void predictSaysWhyItCannotRun();
};

void tst_LazyTorch::plainCallsDoNotLoadIt()
{
    models::DeviceRequest request{};
    QVERIFY(models::parseDeviceRequest(QStringLiteral("cpu"), &request));
    models::setIntraOpThreads(2); // remembered until LibTorch is loaded
    QVERIFY(models::flopsPerImage(models::Architecture::DigitNet) > 3e6);
    QVERIFY(models::torchVersion().contains(QLatin1Char('.')));
    const std::vector<float> logits(models::ClassCount, 0.0F);
    QCOMPARE(models::evaluate(logits, {3}).count, 1);
    QVERIFY(!models::backendLoaded());
}

void tst_LazyTorch::aMissingModuleIsNamedInTheError()
{
    qputenv("DIGITDESK_TORCH_MODULE", Nowhere.toLocal8Bit());
    try {
        models::chooseDevice(models::DeviceRequest::Cpu);
        QFAIL("chooseDevice ran without its module");
    } catch (const std::runtime_error &error) {
        checkNamesTheModule(QString::fromUtf8(error.what()));
    }
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("model.pt"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("not read: LibTorch is missing first");
    out.close();
    try {
        models::Predictor::load(file, models::Architecture::DigitNet, 1.0,
                                models::DeviceRequest::Cpu);
        QFAIL("a model was loaded without LibTorch");
    } catch (const std::runtime_error &error) {
        checkNamesTheModule(QString::fromUtf8(error.what()));
    }
    qunsetenv("DIGITDESK_TORCH_MODULE");
    QVERIFY(!models::backendLoaded());
}

void tst_LazyTorch::theFirstCallThatNeedsItLoadsIt()
{
    const models::ComputeDevice device = models::chooseDevice(models::DeviceRequest::Cpu);
    QVERIFY(!device.cuda);
    QVERIFY(models::backendLoaded());
    // The threads asked for before it was loaded were given to it.
    QCOMPARE(models::runtimeInfo().intraOpThreads, 2);
    QCOMPARE(models::runtimeInfo().torchVersion, models::torchVersion());
    models::setIntraOpThreads(1);
    QCOMPARE(models::runtimeInfo().intraOpThreads, 1);
}

void tst_LazyTorch::commandsWithoutAModelRunWithoutIt_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("shown");
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")} << QStringLiteral("digitdesk");
    QTest::newRow("--version") << QStringList{QStringLiteral("--version")}
                               << QStringLiteral("LibTorch %1").arg(models::torchVersion());
    QTest::newRow("users list") << QStringList{QStringLiteral("users"), QStringLiteral("list")}
                                << QStringLiteral("ana");
    QTest::newRow("workspace check")
        << QStringList{QStringLiteral("workspace"), QStringLiteral("check")} << QString();
}

void tst_LazyTorch::commandsWithoutAModelRunWithoutIt()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, shown);
    testing::TempWorkspace temp;
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const testing::CliRun run = runWithoutTorch(
        arguments + QStringList{QStringLiteral("--workspace"), temp.workspace->root()});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.out.contains(shown), qPrintable(describe(run)));
}

void tst_LazyTorch::predictSaysWhyItCannotRun()
{
    testing::TempWorkspace temp;
    const annotation::Principal eve =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const qint64 model = testing::addUntrainedModel(temp, eve);
    const QString image = temp.dir.filePath(QStringLiteral("ring.png"));
    QFile out(image);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(testing::encodeRing(QStringLiteral(".png"), 64, 64, 32, 32, 18, true));
    out.close();
    const QStringList arguments{QStringLiteral("predict"),     QStringLiteral("--model"),
                                QString::number(model),        image,
                                QStringLiteral("--workspace"), temp.workspace->root()};

    const testing::CliRun failed = runWithoutTorch(arguments);
    QVERIFY2(failed.exitCode != 0, qPrintable(describe(failed)));
    checkNamesTheModule(failed.err);

    const testing::CliRun answered = testing::runDigitdesk(arguments);
    QVERIFY2(answered.exitCode == 0 && answered.out.contains(QStringLiteral("ring.png: ")),
             qPrintable(describe(answered)));
}

QTEST_GUILESS_MAIN(tst_LazyTorch)
#include "tst_lazytorch.moc"
