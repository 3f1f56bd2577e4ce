#include "annotation/heldoutsplit.h"
#include "annotation/modelcomparison.h"
#include "annotation/modelregistry.h"
#include "annotation/splitbaselines.h"
#include "app/cli/argumentparser.h"
#include "app/cli/cancelsignal.h"
#include "app/cli/commands.h"
#include "app/cli/comparisonreport.h"
#include "app/cli/console.h"
#include "app/cli/evaluationreport.h"
#include "app/cli/exitcodes.h"
#include "app/cli/idxdata.h"
#include "models/predictor.h"
#include "storage/workspace.h"

#include <QJsonDocument>

namespace digitdesk::app {
namespace {

// One model on an IDX pair, on the split training holds out (or on all of it).
int evaluateOnIdx(const ArgumentParser &parser, models::DeviceRequest device)
{
    const QString splitName = parser.value(QStringLiteral("split"));
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 id = registry.resolve(parser.value(QStringLiteral("model")));
    const auto predictor = registry.openPredictor(id, device);
    const IdxData data =
        readIdxData(parser.value(QStringLiteral("data")), parser.positional().value(1));

    // The trainer's split, so `eval` on the training data reports what the model never saw.
    const annotation::HeldOutSplit split = annotation::heldOutSplit(data.images.count());
    std::vector<size_t> testIndices = split.heldOut;
    if (splitName == QStringLiteral("all")) {
        testIndices = split.train;
        testIndices.insert(testIndices.end(), split.heldOut.begin(), split.heldOut.end());
    }
    std::vector<uint8_t> testPixels, testLabels;
    annotation::gatherImages(data.images, testIndices, &testPixels, &testLabels);
    const std::vector<float> logits =
        predictor->logits(testPixels.data(), static_cast<int>(testLabels.size()));
    const models::Evaluation raw = models::evaluate(logits, testLabels, 1.0);
    const models::Evaluation calibrated =
        models::evaluate(logits, testLabels, predictor->temperature());
    const models::Baselines baselines =
        annotation::baselinesOnSplit(data.images, split, testIndices);
    printOut(QStringLiteral("Model %1 on %2 (%3 split, %4)")
                 .arg(id)
                 .arg(data.source, splitName, predictor->device().description));
    printOut(formatEvaluation(raw, calibrated, predictor->temperature(), baselines));
    return ExitOk;
}

// Two models side by side on a version's held-out split and on the labels approved since.
int compareOnVersion(const ArgumentParser &parser, models::DeviceRequest device)
{
    const auto workspace = openWorkspace(parser.workspace());
    annotation::ComparisonRequest request;
    request.modelA = parser.value(QStringLiteral("model"));
    request.modelB = parser.value(QStringLiteral("against"));
    request.datasetTag = parser.value(QStringLiteral("dataset"));
    request.device = device;
    const bool json = parser.isSet(QStringLiteral("json"));
    ProgressLine progress(QStringLiteral("Answering with both models"));
    const annotation::ModelComparisonResult result =
        annotation::ModelComparison(workspace->db(), workspace->root())
            .compare(
                annotation::Principal::localOperator(), request,
                [&progress, json](qint64 done, qint64 total) {
                    if (!json) {
                        progress.update(done, total);
                    }
                },
                &installCancelSignals());
    if (!json) {
        progress.finish();
    }
    if (result.cancelled) {
        printErr(QStringLiteral("digitdesk: comparison cancelled by a signal"));
        return ExitCancelled;
    }
    if (json) {
        printOut(QString::fromUtf8(QJsonDocument(comparisonJson(result)).toJson()).trimmed());
    } else {
        printOut(formatComparison(result));
    }
    return ExitOk;
}

} // namespace

int runEvalCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral(
            "digitdesk eval --model ID|production|candidate --data IMAGES.idx [LABELS.idx] "
            "[--split held-out|all] [--workspace DIR]\n"
            "       digitdesk eval --model A --against B --dataset vN [--json] [--workspace DIR]"),
        QStringLiteral("Evaluate a registered model on an IDX pair: accuracy, per-class "
                       "precision and recall, confusion matrix, NLL and ECE before and "
                       "after temperature scaling, beside random-guess, majority-class and "
                       "nearest-centroid baselines fitted on the rest. With --against, compare "
                       "model A with model B on the held-out split of a dataset version and on "
                       "the labels approved since: accuracy with its 95% Wilson interval, "
                       "per-class recall, ECE, McNemar's test and the images they disagree on."));
    parser.addWorkspaceOption();
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("Model id or alias."), QStringLiteral("ID")});
    parser.addOption(
        {QStringLiteral("data"), QStringLiteral("The IDX images file."), QStringLiteral("IMAGES")});
    parser.addOption({QStringLiteral("split"),
                      QStringLiteral("held-out (the 20% training never sees; default) or all."),
                      QStringLiteral("SPLIT"), QStringLiteral("held-out")});
    parser.addOption({QStringLiteral("against"),
                      QStringLiteral("The model id or alias to compare with (production, "
                                     "typically)."),
                      QStringLiteral("B")});
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("The dataset version whose held-out split both answer."),
                      QStringLiteral("vN")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the comparison as JSON.")});
    parser.addOption({QStringLiteral("device"), QStringLiteral("auto, cpu or cuda."),
                      QStringLiteral("DEVICE"), QStringLiteral("auto")});
    if (auto exit = parser.parse(arguments, 0, 1)) {
        return *exit;
    }
    models::DeviceRequest device{};
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    if (!parser.isSet(QStringLiteral("model"))) {
        return parser.usageError(QStringLiteral("--model is required"));
    }
    const bool comparing =
        parser.isSet(QStringLiteral("against")) || parser.isSet(QStringLiteral("dataset"));
    if (comparing) {
        if (!parser.isSet(QStringLiteral("against")) || !parser.isSet(QStringLiteral("dataset"))) {
            return parser.usageError(
                QStringLiteral("a comparison needs both --against B and --dataset vN"));
        }
        if (parser.isSet(QStringLiteral("data")) || parser.isSet(QStringLiteral("split")) ||
            !parser.positional().isEmpty()) {
            return parser.usageError(QStringLiteral(
                "--against compares on a dataset version: --data and --split do not apply"));
        }
        return compareOnVersion(parser, device);
    }
    const QString splitName = parser.value(QStringLiteral("split"));
    if (parser.isSet(QStringLiteral("json"))) {
        return parser.usageError(QStringLiteral("--json prints a comparison: give --against B "
                                                "and --dataset vN"));
    }
    if (!parser.isSet(QStringLiteral("data")) ||
        (splitName != QStringLiteral("held-out") && splitName != QStringLiteral("all"))) {
        return parser.usageError(
            QStringLiteral("--model and --data are required; --split is held-out or all"));
    }
    return evaluateOnIdx(parser, device);
}

} // namespace digitdesk::app
