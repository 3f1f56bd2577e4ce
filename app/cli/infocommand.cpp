#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "models/computedevice.h"

#include <QCoreApplication>

namespace digitdesk::app {
namespace {

void printVersions()
{
    printOut(QStringLiteral("DigitDesk %1").arg(QCoreApplication::applicationVersion()));
    printOut(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion())));
}

} // namespace

int runInfoCommand(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk info [--threads N]"),
                          QStringLiteral("Print versions and the device LibTorch would use."));
    parser.addOption({QStringLiteral("threads"),
                      QStringLiteral("Intra-op threads for LibTorch (default: the core count)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addWorkspaceOption(); // global, so accepted here too; info needs none
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    bool ok = false;
    const int threads = parser.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || threads < 0) {
        return parser.usageError(QStringLiteral("--threads takes a number, 0 for the core count"));
    }
    models::setIntraOpThreads(threads);
    const models::RuntimeInfo info = models::runtimeInfo();
    const models::ComputeDevice device = models::chooseDevice(models::DeviceRequest::Auto);
    printVersions();
    printOut(QStringLiteral("LibTorch %1, CUDA %2 (%3 device(s))")
                 .arg(info.torchVersion, info.cudaBuiltIn ? QStringLiteral("built in")
                                                          : QStringLiteral("not built in"))
                 .arg(info.cudaDevices));
    printOut(QStringLiteral("Device: %1").arg(device.description));
    return ExitOk;
}

int runVersionCommand(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk version (or digitdesk --version)"),
                          QStringLiteral("Print the versions of DigitDesk, Qt and LibTorch."));
    parser.addWorkspaceOption(); // global, so accepted here too; a version needs none
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    printVersions();
    // The version built against, so that `--version` never loads LibTorch; `info` loads it and
    // says whether it has CUDA.
    printOut(QStringLiteral("LibTorch %1").arg(models::torchVersion()));
    return ExitOk;
}

} // namespace digitdesk::app
