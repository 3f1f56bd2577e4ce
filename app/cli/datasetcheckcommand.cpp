#include "annotation/datacheckservice.h"
#include "annotation/datacheckthresholds.h"
#include "app/cli/argumentparser.h"
#include "app/cli/cancelsignal.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <csignal>
#include <optional>

namespace digitdesk::app {
namespace {

using annotation::DataCheckReport;

constexpr int ListedSuspects = 20;
constexpr int ListedPairs = 20;

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

QString imagePath(const QString &sha256)
{
    return QStringLiteral("images/%1/%2.png").arg(sha256.left(2), sha256);
}

void printEvent(const QJsonObject &event)
{
    printOut(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
}

QJsonObject progressJson(const annotation::DataCheckProgress &p)
{
    return {{QStringLiteral("event"), QStringLiteral("progress")},
            {QStringLiteral("phase"), p.phase},
            {QStringLiteral("fold"), p.fold},
            {QStringLiteral("folds"), p.folds},
            {QStringLiteral("epoch"), p.epoch},
            {QStringLiteral("epochs"), p.epochs},
            {QStringLiteral("done"), p.done},
            {QStringLiteral("eta_seconds"), p.etaSeconds}};
}

QString driftText(const annotation::LabelDrift &drift)
{
    int largest = 0;
    for (int label = 1; label < models::ClassCount; ++label) {
        if (std::abs(drift.shareChange[label]) > std::abs(drift.shareChange[largest])) {
            largest = label;
        }
    }
    return QStringLiteral("against %1: chi-square %2 (%3 df, p %4), PSI %5, largest change %6 "
                          "%7%8 points")
        .arg(drift.against)
        .arg(drift.chiSquare.statistic, 0, 'f', 1)
        .arg(drift.chiSquare.degreesOfFreedom)
        .arg(drift.chiSquare.pValue, 0, 'g', 3)
        .arg(drift.psi, 0, 'f', 4)
        .arg(largest)
        .arg(drift.shareChange[largest] >= 0 ? QStringLiteral("+") : QString())
        .arg(drift.shareChange[largest] * 100, 0, 'f', 2);
}

void printReport(const DataCheckReport &report, qint64 checkId)
{
    printOut(QStringLiteral("Check %1 of %2 (commit %3): %4 digits, %5 folds x %6 epochs, %7 s")
                 .arg(checkId)
                 .arg(report.tag, report.commitId)
                 .arg(report.images)
                 .arg(report.folds)
                 .arg(report.epochs)
                 .arg(report.seconds, 0, 'f', 0));
    printOut(QStringLiteral("Likely label errors   %1 (%2 of the digits; out-of-fold accuracy %3)")
                 .arg(report.suspects.size())
                 .arg(percent(report.suspectedShare()), percent(report.outOfFoldAccuracy)));
    for (size_t i = 0; i < report.suspects.size() && i < size_t(ListedSuspects); ++i) {
        const annotation::SuspectedLabelError &suspect = report.suspects[i];
        printOut(QStringLiteral("  %1  %2  given %3  likely %4  confidence %5")
                     .arg(i + 1, 3)
                     .arg(imagePath(suspect.sha256))
                     .arg(suspect.givenLabel)
                     .arg(suspect.suspectedLabel)
                     .arg(suspect.confidence, 0, 'f', 3));
    }
    if (report.suspects.size() > size_t(ListedSuspects)) {
        printOut(QStringLiteral("  ... %1 more (--json lists every one)")
                     .arg(report.suspects.size() - size_t(ListedSuspects)));
    }
    printOut(QStringLiteral("Near-duplicates       %1 pair(s); leakage: %2 of %3 held-out images "
                            "(%4) have a near-duplicate in the training split")
                 .arg(report.nearDuplicates.size())
                 .arg(report.leakingHeldOut)
                 .arg(report.heldOut)
                 .arg(percent(report.leakageShare())));
    for (size_t i = 0; i < report.nearDuplicates.size() && i < size_t(ListedPairs); ++i) {
        const annotation::DuplicatePair &pair = report.nearDuplicates[i];
        printOut(QStringLiteral("  %1 (%2)  %3 (%4)  distance %5%6")
                     .arg(imagePath(pair.first))
                     .arg(pair.firstLabel)
                     .arg(imagePath(pair.second))
                     .arg(pair.secondLabel)
                     .arg(pair.distance, 0, 'f', 3)
                     .arg(pair.leakage ? QStringLiteral("  LEAKAGE") : QString()));
    }
    QStringList counts;
    for (int label = 0; label < models::ClassCount; ++label) {
        counts << QStringLiteral("%1:%2").arg(label).arg(report.counts[label]);
    }
    printOut(QStringLiteral("Class balance         %1 (largest over smallest %2)")
                 .arg(counts.join(QLatin1Char(' ')))
                 .arg(annotation::imbalanceRatio(report.counts), 0, 'f', 2));
    printOut(QStringLiteral("Label drift           %1")
                 .arg(report.previous ? driftText(*report.previous)
                                      : QStringLiteral("no previous version")));
    printOut(QStringLiteral("Served traffic        %1")
                 .arg(report.served ? driftText(*report.served)
                                    : QStringLiteral("no answers of a production model in the "
                                                     "last 7 days")));
    printOut(QStringLiteral("Outliers              %1 far from every class in the embedding, %2 "
                            "flagged by the out-of-distribution score")
                 .arg(report.farCount)
                 .arg(report.oodCount));
}

} // namespace

int runDatasetCheckCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk dataset check vN [--json] [--folds K] [--epochs E] [--seed S] "
                       "[--threads N] [--send-to-review] [--json-progress] [--workspace DIR]"),
        QStringLiteral("Check a dataset version: likely label errors (confident learning on "
                       "out-of-fold probabilities of K models trained on it), near-duplicates and "
                       "leakage across the training split, class balance and label drift, "
                       "outliers. The report is stored with the version. Exit 5 when it is over "
                       "the checks.max_suspected_share or checks.max_leakage setting. SIGINT or "
                       "SIGTERM cancels."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the report as JSON.")});
    parser.addOption({QStringLiteral("folds"), QStringLiteral("Models trained, each on K-1 folds."),
                      QStringLiteral("K"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("epochs"), QStringLiteral("Epochs per fold."),
                      QStringLiteral("E"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the folds and training."),
                      QStringLiteral("S"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("threads"),
                      QStringLiteral("LibTorch threads; 0 means the core count."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("send-to-review"),
                      QStringLiteral("Send the likely label errors back to the review queue, for "
                                     "a reviewer other than the one who approved them.")});
    parser.addOption({QStringLiteral("json-progress"),
                      QStringLiteral("Print one JSON event per line while checking (for the "
                                     "GUI).")});
    // Positional: the subcommand ("check") and the version.
    if (auto exit = parser.parse(arguments, 2, 2)) {
        return *exit;
    }
    annotation::DataCheckOptions options;
    int seed = 1;
    if (auto exit = parser.wholeNumber(QStringLiteral("folds"), 2, 20, &options.folds)) {
        return *exit;
    }
    if (auto exit = parser.wholeNumber(QStringLiteral("epochs"), 1, 100, &options.epochs)) {
        return *exit;
    }
    if (auto exit = parser.wholeNumber(QStringLiteral("seed"), 0, 1 << 30, &seed)) {
        return *exit;
    }
    if (auto exit = parser.wholeNumber(QStringLiteral("threads"), 0, 1024, &options.threads)) {
        return *exit;
    }
    options.seed = quint64(seed);
    const QString tag = parser.positional().at(1);
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool jsonProgress = parser.isSet(QStringLiteral("json-progress"));
    const std::atomic<bool> &cancel = installCancelSignals();
    std::signal(SIGPIPE, SIG_IGN);

    const auto workspace = openWorkspace(parser.workspace());
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::DataCheckService checks(workspace->db(), workspace->root());
    ProgressLine line(QStringLiteral("Checking %1").arg(tag));
    if (jsonProgress) {
        printEvent({{QStringLiteral("event"), QStringLiteral("started")},
                    {QStringLiteral("dataset"), tag},
                    {QStringLiteral("folds"), options.folds},
                    {QStringLiteral("epochs"), options.epochs}});
    }
    const annotation::StoredDataCheck check = checks.run(
        who, tag, options,
        [&](const annotation::DataCheckProgress &p) {
            if (jsonProgress) {
                printEvent(progressJson(p));
            } else if (!json) {
                line.update(qint64(p.done * 1000), 1000);
            }
        },
        &cancel);
    if (!jsonProgress && !json) {
        line.finish();
    }
    if (check.record.status == QStringLiteral("cancelled")) {
        if (jsonProgress) {
            printEvent({{QStringLiteral("event"), QStringLiteral("cancelled")},
                        {QStringLiteral("check"), check.record.id}});
        }
        printErr(QStringLiteral("digitdesk: check %1 of %2 cancelled; nothing was stored")
                     .arg(check.record.id)
                     .arg(tag));
        return ExitCancelled;
    }
    std::optional<annotation::SentToReview> sent;
    if (parser.isSet(QStringLiteral("send-to-review"))) {
        sent = checks.sendToReview(who, check.record.id);
    }
    const annotation::DataCheckStanding standing =
        annotation::dataCheckStanding(workspace->db(), tag);
    const storage::SuspectDecisions decisions = checks.decisions(who);
    if (json || jsonProgress) {
        QJsonObject report = check.report.toJson();
        report.insert(QStringLiteral("check"), check.record.id);
        report.insert(QStringLiteral("over_threshold"), standing.overThreshold);
        report.insert(QStringLiteral("standing"), standing.summary);
        report.insert(QStringLiteral("reviewer_decisions"),
                      QJsonObject{{QStringLiteral("sent"), decisions.sent},
                                  {QStringLiteral("decided"), decisions.decided},
                                  {QStringLiteral("confirmed"), decisions.confirmed}});
        if (sent) {
            report.insert(QStringLiteral("sent_to_review"),
                          QJsonObject{{QStringLiteral("sent"), sent->sent},
                                      {QStringLiteral("already_sent"), sent->alreadySent},
                                      {QStringLiteral("not_approved"), sent->notApproved},
                                      {QStringLiteral("not_in_workspace"), sent->notInWorkspace}});
        }
        if (jsonProgress) {
            report.insert(QStringLiteral("event"), QStringLiteral("finished"));
            printEvent(report);
        } else {
            printOut(
                QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Indented)).trimmed());
        }
    } else {
        printReport(check.report, check.record.id);
        printOut(QStringLiteral("Thresholds            %1").arg(standing.summary));
        printOut(QStringLiteral("Reviewer decisions    %1")
                     .arg(decisions.decided > 0
                              ? QStringLiteral("%1 of %2 decided suspects were errors (precision "
                                               "%3 on this workspace)")
                                    .arg(decisions.confirmed)
                                    .arg(decisions.decided)
                                    .arg(percent(double(decisions.confirmed) / decisions.decided))
                              : QStringLiteral("none decided yet")));
        if (sent) {
            printOut(QStringLiteral("Sent %1 suspected label error(s) to review (%2 sent before, "
                                    "%3 no longer approved, %4 not in this workspace)")
                         .arg(sent->sent)
                         .arg(sent->alreadySent)
                         .arg(sent->notApproved)
                         .arg(sent->notInWorkspace));
        }
    }
    return standing.overThreshold ? ExitWithProblems : ExitOk;
}

} // namespace digitdesk::app
