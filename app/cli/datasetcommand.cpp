#include "annotation/datasetservice.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/datasetgit.h"
#include "storage/label.h"
#include "storage/workspace.h"

#include <QJsonDocument>

#include <map>

namespace digitdesk::app {
namespace {

using annotation::DatasetService;
using annotation::DatasetVersion;

struct Subcommand
{
    QString usage;
    QString description;
    int minPositional;
    int maxPositional;
};

const std::map<QString, Subcommand> &subcommands()
{
    static const std::map<QString, Subcommand> table = {
        {QStringLiteral("commit"),
         {QStringLiteral("digitdesk dataset commit -m MESSAGE [--workspace DIR]"),
          QStringLiteral("Commit every approved label as the next version vN of dataset.git."), 1,
          1}},
        {QStringLiteral("log"),
         {QStringLiteral("digitdesk dataset log [--workspace DIR]"),
          QStringLiteral("The versions, newest first: tag, date, author, images, message."), 1, 1}},
        {QStringLiteral("show"),
         {QStringLiteral("digitdesk dataset show vN [--workspace DIR]"),
          QStringLiteral("One version: commit, counts per class, parent, and the models trained "
                         "on it."),
          2, 2}},
        {QStringLiteral("diff"),
         {QStringLiteral("digitdesk dataset diff vA vB [--json] [--workspace DIR]"),
          QStringLiteral("Images added, deleted and relabelled from vA to vB (--json: the shape "
                         "of `dvc diff --json`)."),
          3, 3}},
        {QStringLiteral("export"),
         {QStringLiteral("digitdesk dataset export vN --format imagefolder|idx|csv DIR "
                         "[--workspace DIR]"),
          QStringLiteral("Write a version into a new or empty folder: ImageFolder "
                         "(DIR/<label>/<sha256>.png, x for not a digit), MNIST IDX or CSV (digits "
                         "only)."),
          3, 3}},
        {QStringLiteral("verify"),
         {QStringLiteral("digitdesk dataset verify [vN] [--workspace DIR]"),
          QStringLiteral("Check every object and image of a version (every version when none is "
                         "named); exit 5 when something is damaged."),
          1, 2}},
        {QStringLiteral("push"),
         {QStringLiteral("digitdesk dataset push REMOTE [--tags] [--workspace DIR]"),
          QStringLiteral("Push this workspace's history (joined with every one pulled) as the "
                         "remote's main, and with --tags the versions it does not name yet (vN, "
                         "or vN-<commit> where its vN is another workspace's), to a git remote: a "
                         "URL or a path to a bare repository. Refused, with nothing sent, while "
                         "the remote has versions not pulled here."),
          2, 2}},
        {QStringLiteral("pull"),
         {QStringLiteral("digitdesk dataset pull REMOTE [--name origin] [--workspace DIR]"),
          QStringLiteral("Fetch a remote's versions as NAME/vN and join its history into what "
                         "the next push sends; this workspace's own versions stay as they are."),
          2, 2}},
        {QStringLiteral("import"),
         {QStringLiteral("digitdesk dataset import vN [--workspace DIR]"),
          QStringLiteral("Bring a version's images and labels in as approved items (a pulled "
                         "one, typically); the annotator and reviewer names are kept."),
          2, 2}},
    };
    return table;
}

const std::map<QString, annotation::ExportFormat> &exportFormats()
{
    static const std::map<QString, annotation::ExportFormat> formats = {
        {QStringLiteral("imagefolder"), annotation::ExportFormat::ImageFolder},
        {QStringLiteral("idx"), annotation::ExportFormat::Idx},
        {QStringLiteral("csv"), annotation::ExportFormat::Csv}};
    return formats;
}

QString histogramText(const DatasetVersion &version)
{
    QStringList counts;
    for (int index = 0; index < storage::Label::Classes; ++index) {
        counts << QStringLiteral("%1:%2")
                      .arg(storage::Label::fromIndex(index).text())
                      .arg(version.histogram[static_cast<size_t>(index)]);
    }
    return counts.join(QLatin1Char(' '));
}

void printVersion(const DatasetService &datasets, const annotation::Principal &who,
                  const DatasetVersion &version)
{
    printOut(QStringLiteral("version          %1").arg(version.tag));
    printOut(QStringLiteral("commit           %1").arg(version.commitId));
    printOut(QStringLiteral("author           %1").arg(version.author));
    printOut(QStringLiteral("created          %1").arg(version.createdAt.toString(Qt::ISODate)));
    printOut(QStringLiteral("message          %1").arg(version.message));
    printOut(QStringLiteral("images           %1").arg(version.imageCount));
    printOut(QStringLiteral("per class        %1").arg(histogramText(version)));
    printOut(QStringLiteral("parent           %1")
                 .arg(version.parentTag.isEmpty() ? QStringLiteral("none") : version.parentTag));
    printOut(
        QStringLiteral("origin           %1")
            .arg(version.origin.isEmpty() ? QStringLiteral("this workspace") : version.origin));
    QStringList models;
    for (qint64 id : datasets.modelsTrainedOn(who, version.tag)) {
        models << QString::number(id);
    }
    printOut(QStringLiteral("models           %1")
                 .arg(models.isEmpty() ? QStringLiteral("none trained on it")
                                       : models.join(QStringLiteral(", "))));
}

void printDiff(const annotation::DatasetDiff &diff)
{
    printOut(QStringLiteral("%1 -> %2: %3 added, %4 deleted, %5 relabelled")
                 .arg(diff.fromTag, diff.toTag)
                 .arg(diff.added.size())
                 .arg(diff.deleted.size())
                 .arg(diff.relabelled.size()));
    const auto path = [](const QString &sha256) {
        return QStringLiteral("images/%1/%2.png").arg(sha256.left(2), sha256);
    };
    for (const annotation::DatasetRow &row : diff.added) {
        printOut(QStringLiteral("added       %1  %2").arg(path(row.sha256), row.label.text()));
    }
    for (const annotation::DatasetRow &row : diff.deleted) {
        printOut(QStringLiteral("deleted     %1  %2").arg(path(row.sha256), row.label.text()));
    }
    for (const auto &[before, after] : diff.relabelled) {
        printOut(QStringLiteral("relabelled  %1  %2 -> %3")
                     .arg(path(after.sha256), before.label.text(), after.label.text()));
    }
}

int push(DatasetService &datasets, const annotation::Principal &who, const QString &remote,
         bool withTags)
{
    annotation::DatasetPush pushed;
    try {
        pushed = datasets.push(who, remote, withTags);
    } catch (const storage::RemoteAhead &error) {
        printErr(QStringLiteral("digitdesk: %1 has dataset versions this workspace lacks, so "
                                "nothing was pushed: pull first (`digitdesk dataset pull %1`), "
                                "then push again\n(%2)")
                     .arg(remote, error.message()));
        return ExitFailed;
    }
    if (pushed.mainCommit.isEmpty() && pushed.tags.empty()) {
        printOut(QStringLiteral("Nothing to push: %1 has this workspace's history%2 already")
                     .arg(remote, withTags ? QStringLiteral(" and every version") : QString()));
        return ExitOk;
    }
    printOut(QStringLiteral("Pushed to %1").arg(remote));
    if (!pushed.mainCommit.isEmpty()) {
        printOut(QStringLiteral("  main     %1").arg(pushed.mainCommit));
    }
    for (const auto &[tag, remoteTag] : pushed.tags) {
        printOut(tag == remoteTag
                     ? QStringLiteral("  %1").arg(tag)
                     : QStringLiteral("  %1 as %2 (the remote's %1 is another workspace's)")
                           .arg(tag, remoteTag));
    }
    return ExitOk;
}

int runSubcommand(const QString &sub, const ArgumentParser &parser)
{
    const QStringList positional = parser.positional();
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::Principal who = annotation::Principal::localOperator();
    DatasetService datasets(workspace->db(), workspace->root());
    if (sub == QStringLiteral("commit")) {
        ProgressLine progress(QStringLiteral("Encoding new images"));
        const DatasetVersion version = datasets.commit(
            who, parser.value(QStringLiteral("message")),
            [&progress](qint64 done, qint64 total) { progress.update(done, total); });
        progress.finish();
        printOut(QStringLiteral("Committed %1 (commit %2): %3 images")
                     .arg(version.tag, version.commitId)
                     .arg(version.imageCount));
    } else if (sub == QStringLiteral("log")) {
        for (const DatasetVersion &version : datasets.versions(who)) {
            printOut(QStringLiteral("%1  %2  %3  %4 images  %5")
                         .arg(version.tag, -10)
                         .arg(version.createdAt.toString(Qt::ISODate), -20)
                         .arg(version.author, -20)
                         .arg(version.imageCount, 7)
                         .arg(version.message.section(QLatin1Char('\n'), 0, 0)));
        }
    } else if (sub == QStringLiteral("show")) {
        printVersion(datasets, who, datasets.version(who, positional.at(1)));
    } else if (sub == QStringLiteral("diff")) {
        const annotation::DatasetDiff diff = datasets.diff(who, positional.at(1), positional.at(2));
        if (parser.isSet(QStringLiteral("json"))) {
            printOut(QString::fromUtf8(diff.toJson().toJson(QJsonDocument::Indented)).trimmed());
        } else {
            printDiff(diff);
        }
    } else if (sub == QStringLiteral("export")) {
        const QString format = parser.value(QStringLiteral("format"));
        const annotation::DatasetExport result = datasets.exportVersion(
            who, positional.at(1), exportFormats().at(format), positional.at(2));
        printOut(QStringLiteral("Exported %1 images of %2 as %3 to %4%5")
                     .arg(result.images)
                     .arg(positional.at(1), format, positional.at(2))
                     .arg(result.skipped > 0
                              ? QStringLiteral(" (%1 not-a-digit images left out: %2 holds "
                                               "digits only)")
                                    .arg(result.skipped)
                                    .arg(format)
                              : QString()));
    } else if (sub == QStringLiteral("verify")) {
        const QStringList problems = datasets.verify(who, positional.value(1));
        for (const QString &problem : problems) {
            printOut(problem);
        }
        if (!problems.isEmpty()) {
            printErr(QStringLiteral("digitdesk: %1 problem(s) found").arg(problems.size()));
            return ExitWithProblems;
        }
        printOut(positional.size() > 1 ? QStringLiteral("%1 is intact").arg(positional.at(1))
                                       : QStringLiteral("Every version is intact"));
    } else if (sub == QStringLiteral("push")) {
        return push(datasets, who, positional.at(1), parser.isSet(QStringLiteral("tags")));
    } else if (sub == QStringLiteral("pull")) {
        const QString name = parser.isSet(QStringLiteral("name"))
                                 ? parser.value(QStringLiteral("name"))
                                 : QStringLiteral("origin");
        const std::vector<DatasetVersion> pulled = datasets.pull(who, positional.at(1), name);
        printOut(QStringLiteral("Pulled %1 version(s) from %2")
                     .arg(pulled.size())
                     .arg(positional.at(1)));
        for (const DatasetVersion &version : pulled) {
            printOut(QStringLiteral("  %1  %2 images  %3")
                         .arg(version.tag, -14)
                         .arg(version.imageCount, 7)
                         .arg(version.message.section(QLatin1Char('\n'), 0, 0)));
        }
    } else if (sub == QStringLiteral("import")) {
        const int imported = datasets.importVersion(who, positional.at(1));
        printOut(QStringLiteral("Imported %1 new image(s) from %2 as approved")
                     .arg(imported)
                     .arg(positional.at(1)));
    }
    return ExitOk;
}

// The first argument that is neither an option nor an option's value: options may come before
} // namespace

int runDatasetCommand(const QStringList &arguments)
{
    const QString sub = subcommandOf(
        arguments,
        {QStringLiteral("--workspace"), QStringLiteral("--format"), QStringLiteral("--name"),
         QStringLiteral("-m"), QStringLiteral("--message"), QStringLiteral("--folds"),
         QStringLiteral("--epochs"), QStringLiteral("--seed"), QStringLiteral("--threads")});
    if (sub == QStringLiteral("check")) {
        return runDatasetCheckCommand(arguments);
    }
    const auto found = subcommands().find(sub);
    if (found == subcommands().end()) {
        ArgumentParser parser(
            QStringLiteral("digitdesk dataset "
                           "commit|log|show|diff|export|verify|check|push|pull|import ..."),
            QStringLiteral("Dataset versions: approved labels as tagged commits of the "
                           "workspace's dataset.git."));
        if (arguments.contains(QStringLiteral("--help")) ||
            arguments.contains(QStringLiteral("-h"))) {
            return parser.parse(arguments, 0, -1).value_or(ExitOk);
        }
        return parser.usageError(sub.isEmpty()
                                     ? QStringLiteral("missing subcommand")
                                     : QStringLiteral("unknown subcommand '%1'").arg(sub));
    }
    const Subcommand &command = found->second;
    ArgumentParser parser(command.usage, command.description);
    parser.addWorkspaceOption();
    if (sub == QStringLiteral("commit")) {
        parser.addOption({{QStringLiteral("m"), QStringLiteral("message")},
                          QStringLiteral("What changed (required)."),
                          QStringLiteral("MESSAGE")});
    } else if (sub == QStringLiteral("diff")) {
        parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    } else if (sub == QStringLiteral("export")) {
        parser.addOption({QStringLiteral("format"),
                          QStringLiteral("imagefolder, idx or csv (required)."),
                          QStringLiteral("FORMAT")});
    } else if (sub == QStringLiteral("push")) {
        parser.addOption({QStringLiteral("tags"), QStringLiteral("Push the version tags too.")});
    } else if (sub == QStringLiteral("pull")) {
        parser.addOption({QStringLiteral("name"),
                          QStringLiteral("Name the remote's versions NAME/vN (default: origin)."),
                          QStringLiteral("NAME")});
    }
    if (auto exit = parser.parse(arguments, command.minPositional, command.maxPositional)) {
        return *exit;
    }
    if (sub == QStringLiteral("commit") &&
        parser.value(QStringLiteral("message")).trimmed().isEmpty()) {
        return parser.usageError(QStringLiteral("-m MESSAGE is required"));
    }
    if (sub == QStringLiteral("export") &&
        !exportFormats().contains(parser.value(QStringLiteral("format")))) {
        return parser.usageError(QStringLiteral("--format imagefolder|idx|csv is required"));
    }
    return runSubcommand(sub, parser);
}

} // namespace digitdesk::app
