#include "annotation/modelregistry.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/evaluationreport.h"
#include "app/cli/exitcodes.h"
#include "app/cli/idxdata.h"
#include "models/predictor.h"
#include "storage/workspace.h"

#include <numeric>
#include <random>

namespace digitdesk::app {
namespace {

// The same held-out rule as training (models::TrainingOptions' split seed and fraction), so
// `eval` on the training data reports the split the model never saw.
std::pair<std::vector<size_t>, std::vector<size_t>> split(size_t count, bool everything)
{
    const models::TrainingOptions defaults;
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(defaults.splitSeed);
    for (size_t i = count; i > 1; --i) {
        std::swap(order[i - 1], order[random() % i]);
    }
    const auto held = static_cast<size_t>(static_cast<double>(count) * defaults.validationFraction);
    std::vector<size_t> train(order.begin(), order.end() - static_cast<std::ptrdiff_t>(held));
    std::vector<size_t> test(order.end() - static_cast<std::ptrdiff_t>(held), order.end());
    return {train, everything ? order : test};
}

void gather(const models::LabelledImages &data, const std::vector<size_t> &indices,
            std::vector<uint8_t> *pixels, std::vector<uint8_t> *labels)
{
    for (size_t index : indices) {
        pixels->insert(
            pixels->end(),
            data.pixels.begin() + static_cast<std::ptrdiff_t>(index * models::PixelCount),
            data.pixels.begin() + static_cast<std::ptrdiff_t>((index + 1) * models::PixelCount));
        labels->push_back(data.labels[index]);
    }
}

} // namespace

int runEvalCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral(
            "digitdesk eval --model ID|production|candidate --data IMAGES.idx [LABELS.idx] "
            "[--split held-out|all] [--workspace DIR]"),
        QStringLiteral("Evaluate a registered model on an IDX pair: accuracy, per-class "
                       "precision and recall, confusion matrix, NLL and ECE before and "
                       "after temperature scaling, beside random-guess, majority-class and "
                       "nearest-centroid baselines fitted on the rest."));
    parser.addWorkspaceOption();
    parser.addOption(
        {QStringLiteral("model"), QStringLiteral("Model id or alias."), QStringLiteral("ID")});
    parser.addOption(
        {QStringLiteral("data"), QStringLiteral("The IDX images file."), QStringLiteral("IMAGES")});
    parser.addOption({QStringLiteral("split"),
                      QStringLiteral("held-out (the 20% training never sees; default) or all."),
                      QStringLiteral("SPLIT"), QStringLiteral("held-out")});
    parser.addOption({QStringLiteral("device"), QStringLiteral("auto, cpu or cuda."),
                      QStringLiteral("DEVICE"), QStringLiteral("auto")});
    if (auto exit = parser.parse(arguments, 0, 1)) {
        return *exit;
    }
    const QString splitName = parser.value(QStringLiteral("split"));
    models::DeviceRequest device{};
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) ||
        (splitName != QStringLiteral("held-out") && splitName != QStringLiteral("all")) ||
        !models::parseDeviceRequest(parser.value(QStringLiteral("device")), &device)) {
        return parser.usageError(
            QStringLiteral("--model and --data are required; --split is held-out or all"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 id = registry.resolve(parser.value(QStringLiteral("model")));
    const auto predictor = registry.openPredictor(id, device);
    const IdxData data =
        readIdxData(parser.value(QStringLiteral("data")), parser.positional().value(1));

    const auto [trainIndices, testIndices] =
        split(data.images.count(), splitName == QStringLiteral("all"));
    std::vector<uint8_t> trainPixels, trainLabels, testPixels, testLabels;
    gather(data.images, trainIndices, &trainPixels, &trainLabels);
    gather(data.images, testIndices, &testPixels, &testLabels);
    const std::vector<float> logits =
        predictor->logits(testPixels.data(), static_cast<int>(testLabels.size()));
    const models::Evaluation raw = models::evaluate(logits, testLabels, 1.0);
    const models::Evaluation calibrated =
        models::evaluate(logits, testLabels, predictor->temperature());
    const models::Baselines baselines =
        models::computeBaselines(trainPixels, trainLabels, testPixels, testLabels);
    printOut(QStringLiteral("Model %1 on %2 (%3 split, %4)")
                 .arg(id)
                 .arg(data.source, splitName, predictor->device().description));
    printOut(formatEvaluation(raw, calibrated, predictor->temperature(), baselines));
    return ExitOk;
}

} // namespace digitdesk::app
