#include "annotation/imagenormalizer.h"
#include "annotation/modelregistry.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "models/predictor.h"
#include "storage/workspace.h"

#include <QFile>

#include <algorithm>
#include <numeric>

namespace digitdesk::app {

int runPredictCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral(
            "digitdesk predict --model ID|production|candidate FILE... [--workspace DIR]"),
        QStringLiteral("Predict the digit of each scan (normalised as import does) with "
                       "calibrated probabilities."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("model"),
                      QStringLiteral("Model id or alias (default: production)."),
                      QStringLiteral("ID"), QStringLiteral("production")});
    parser.addOption({QStringLiteral("device"), QStringLiteral("auto, cpu or cuda."),
                      QStringLiteral("DEVICE"), QStringLiteral("auto")});
    if (auto exit = parser.parse(arguments, 1, -1)) {
        return *exit;
    }
    models::DeviceRequest device{};
    if (!models::parseDeviceRequest(parser.value(QStringLiteral("device")), &device)) {
        return parser.usageError(QStringLiteral("--device takes auto, cpu or cuda"));
    }
    const auto workspace = openWorkspace(parser.workspace());
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 id = registry.resolve(parser.value(QStringLiteral("model")));
    const auto predictor = registry.openPredictor(id, device);
    int failures = 0;
    for (const QString &path : parser.positional()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            printErr(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
            ++failures;
            continue;
        }
        const annotation::NormalizedImage image =
            annotation::ImageNormalizer::fromEncoded(file.readAll());
        if (!image.ok()) {
            printErr(QStringLiteral("%1: %2").arg(path, image.error));
            ++failures;
            continue;
        }
        const models::Prediction prediction =
            predictor->predict(reinterpret_cast<const uint8_t *>(image.pixels.constData()), 1)
                .front();
        std::array<int, models::ClassCount> order{};
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return prediction.probabilities[static_cast<size_t>(a)] >
                   prediction.probabilities[static_cast<size_t>(b)];
        });
        QStringList all;
        for (int c = 0; c < models::ClassCount; ++c) {
            all << QStringLiteral("%1:%2").arg(c).arg(
                prediction.probabilities[static_cast<size_t>(c)], 0, 'f', 4);
        }
        printOut(QStringLiteral("%1: %2 (p=%3; then %4 %5, %6 %7)  [%8]")
                     .arg(path)
                     .arg(prediction.label)
                     .arg(prediction.confidence, 0, 'f', 4)
                     .arg(order[1])
                     .arg(prediction.probabilities[static_cast<size_t>(order[1])], 0, 'f', 4)
                     .arg(order[2])
                     .arg(prediction.probabilities[static_cast<size_t>(order[2])], 0, 'f', 4)
                     .arg(all.join(QLatin1Char(' '))));
    }
    return failures == 0 ? ExitOk : ExitWithProblems;
}

} // namespace digitdesk::app
