#include "annotation/modelimportcheck.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/cli/processsandbox.h"
#include "models/torchscriptprobe.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace digitdesk::app {
namespace {

QByteArray readStandardInput()
{
    QFile input;
    if (!input.open(STDIN_FILENO, QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray bytes;
    while (bytes.size() <= annotation::MaxModelFileBytes) {
        const QByteArray chunk = input.read(1 << 20);
        if (chunk.isEmpty()) {
            break;
        }
        bytes += chunk;
    }
    return bytes;
}

bool writeAll(int descriptor, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t written =
            ::write(descriptor, bytes.constData() + done, static_cast<size_t>(bytes.size() - done));
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        done += written;
    }
    return true;
}

} // namespace

int runModelCheckCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk model-check [--try-write FOLDER] < MODEL.pt"),
        QStringLiteral("Internal, started by `digitdesk models import`: confines itself (no "
                       "filesystem writes), runs the TorchScript file on stdin on known input "
                       "and prints what it answered as one JSON object."));
    parser.addOption({QStringLiteral("try-write"),
                      QStringLiteral("Instead of a model, try to create a file in FOLDER once "
                                     "confined and report whether that worked."),
                      QStringLiteral("FOLDER")});
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    // The report goes to the stdout the parent gave; everything else, the model's own prints
    // included, goes to stderr, so nothing the model prints can pass for the report.
    std::fflush(stdout);
    const int reportDescriptor = ::dup(STDOUT_FILENO);
    if (reportDescriptor < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        printErr(QStringLiteral("digitdesk: model-check cannot set its output apart"));
        return ExitFailed;
    }
    const SandboxStatus sandbox = forbidFilesystemWrites();
    QJsonObject report{{QStringLiteral("sandbox"),
                        QJsonObject{{QStringLiteral("landlock"), sandbox.landlock},
                                    {QStringLiteral("abi"), sandbox.landlockAbi},
                                    {QStringLiteral("description"), sandbox.description}}}};
    if (parser.isSet(QStringLiteral("try-write"))) {
        QFile file(QDir(parser.value(QStringLiteral("try-write")))
                       .filePath(QStringLiteral("written-by-model-check")));
        report.insert(QStringLiteral("write"),
                      file.open(QIODevice::WriteOnly | QIODevice::NewOnly)
                          ? QStringLiteral("written")
                          : QStringLiteral("refused: %1").arg(file.errorString()));
    } else {
        const QByteArray bytes = readStandardInput();
        models::TorchScriptProbe probe;
        if (bytes.size() > annotation::MaxModelFileBytes) {
            probe.error = QStringLiteral("to load: it is larger than %1 MB")
                              .arg(annotation::MaxModelFileBytes >> 20);
        } else {
            probe = models::probeTorchScript(bytes);
        }
        report.insert(QStringLiteral("probe"), probe.toJson());
    }
    const bool reported =
        writeAll(reportDescriptor, QJsonDocument(report).toJson(QJsonDocument::Compact) + '\n');
    ::close(reportDescriptor);
    return reported ? ExitOk : ExitFailed;
}

} // namespace digitdesk::app
