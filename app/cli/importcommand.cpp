#include "annotation/importer.h"
#include "annotation/principal.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/workspace.h"

namespace digitdesk::app {
namespace {

constexpr int MaxListedProblems = 50;

void printReport(const annotation::ImportReport &report)
{
    int listed = 0;
    for (const annotation::ImportProblem &problem : report.problems) {
        if (listed++ == MaxListedProblems) {
            printErr(QStringLiteral("... and %1 more problem(s)")
                         .arg(report.problems.size() - MaxListedProblems));
            break;
        }
        printErr(QStringLiteral("skipped %1: %2").arg(problem.item, problem.reason));
    }
    const double rate =
        report.seconds > 0 ? static_cast<double>(report.imported) / report.seconds : 0;
    printOut(QStringLiteral("Imported %1 image(s) in %2 s (%3 images/s); %4 duplicate(s) not "
                            "stored again; %5 problem(s); %6 other file(s) ignored%7")
                 .arg(report.imported)
                 .arg(report.seconds, 0, 'f', 2)
                 .arg(rate, 0, 'f', 0)
                 .arg(report.duplicates)
                 .arg(report.problems.size())
                 .arg(report.skipped)
                 .arg(report.cancelled ? QStringLiteral("; cancelled") : QString()));
}

} // namespace

int runImportCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk import PATH... [--source NAME] "
                       "[--labels unreviewed|approved|ignore] [--workspace DIR]"),
        QStringLiteral("Import folders (recursive) of PNG, JPEG, BMP and TIFF scans, MNIST IDX "
                       "pairs (raw or .gz) and CSV files (label + 784 pixels). Every image is "
                       "normalised to 28x28 MNIST form. Bad files are reported and skipped."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("source"),
                      QStringLiteral("Name of the source (default: each path's file name)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("labels"),
                      QStringLiteral("What to do with labels in the data: unreviewed (default; "
                                     "they await review), approved (needs the review right), "
                                     "ignore."),
                      QStringLiteral("POLICY"), QStringLiteral("unreviewed")});
    if (auto exit = parser.parse(arguments, 1, -1)) {
        return *exit;
    }
    annotation::ImportOptions options;
    options.source = parser.value(QStringLiteral("source"));
    if (!annotation::parseLabelPolicy(parser.value(QStringLiteral("labels")), &options.labels)) {
        return parser.usageError(QStringLiteral("--labels takes unreviewed, approved or ignore"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    annotation::Importer importer(workspace->db(), workspace->blobs(),
                                  annotation::Principal::localOperator());
    ProgressLine progress(QStringLiteral("Importing"));
    const annotation::ImportReport report =
        importer.run(parser.positional(), options,
                     [&progress](qint64 done, qint64 total) { progress.update(done, total); });
    progress.finish();
    printReport(report);
    if (report.imported > 0) {
        updatePredictionsAfterChange(*workspace);
    }
    return report.problems.empty() ? ExitOk : ExitWithProblems;
}

} // namespace digitdesk::app
