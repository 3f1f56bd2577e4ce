#include "annotation/inbox.h"
#include "annotation/inboxthread.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/serve/systemdnotify.h"
#include "storage/workspace.h"

#include <QDateTime>
#include <QDir>

#include <csignal>
#include <mutex>

#include <pthread.h>

namespace digitdesk::app {
namespace {

void log(const QString &message)
{
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    printErr(QStringLiteral("%1 watch: %2")
                 .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), message));
}

} // namespace

int runWatchCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk watch [--workspace DIR] [--path DIR] [--poll-only] "
                       "[--batch 64]"),
        QStringLiteral("Watch the inbox folder (inbox.path) until SIGTERM or SIGINT: complete "
                       "scans dropped there are imported, predicted by the production model and "
                       "queued, then moved to processed/YYYY-MM-DD/, or to failed/ with "
                       "NAME.error.txt saying why. inbox.enabled = 0 pauses it."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("path"),
                      QStringLiteral("The inbox folder (default: the inbox.path setting)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("poll-only"),
                      QStringLiteral("No change notifications, only the periodic rescan "
                                     "(inbox.rescan-s), for filesystems that never send them.")});
    parser.addOption({QStringLiteral("batch"),
                      QStringLiteral("Files per import transaction. Default: 64."),
                      QStringLiteral("N"), QStringLiteral("64")});
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    annotation::InboxWatcherOptions options;
    if (auto exit = parser.wholeNumber(QStringLiteral("batch"), 1, 512, &options.batchFiles)) {
        return *exit;
    }
    options.notifications = !parser.isSet(QStringLiteral("poll-only"));
    if (parser.isSet(QStringLiteral("path"))) {
        const QString path = parser.value(QStringLiteral("path"));
        if (path.isEmpty()) {
            return parser.usageError(QStringLiteral("--path needs a folder"));
        }
        options.path = QDir(path).absolutePath();
    }
    // Taken by sigwait() below: blocked before any thread starts, so every thread inherits it.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    const auto workspace = openWorkspace(parser.workspace());
    if (options.path.isEmpty() && annotation::InboxSettings::read(workspace->db()).path.isEmpty()) {
        printErr(QStringLiteral("watch: no inbox folder: give --path DIR or set one with "
                                "`digitdesk settings set %1 DIR`")
                     .arg(QString::fromLatin1(annotation::InboxPathSetting)));
        return ExitFailed;
    }

    annotation::InboxThread inbox(workspace->root(), workspace->databasePath(), options, log);
    inbox.start();
    notifySystemd("READY=1\nSTATUS=watching the inbox");

    int received = 0;
    sigwait(&stopSignals, &received);
    log(QStringLiteral("%1: finishing the batch in hand")
            .arg(received == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT")));
    notifySystemd("STOPPING=1");
    inbox.stop();
    log(QStringLiteral("stopped"));
    return ExitOk;
}

} // namespace digitdesk::app
