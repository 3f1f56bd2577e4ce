// Training throughput and accuracy, Release build.
//
//   train_bench [DATA_DIR] [--epochs N] [--threads N]
//
// 1. PyTorch's example MNIST network (the one ../shared/peers/make_model.py writes) trained with
//    DigitDesk's training loop on the demo digits, batch 64, plain Adam-like steps at a constant
//    rate and no augmentation, the way ../shared/peers/train_peer.py trains it: images per second.
//    tests/bench/train_bench.sh runs the peer on the same file, batch and threads beside it.
// 2. DigitDesk's own network as `digitdesk train` trains it (augmentation, AdamW, one-cycle):
//    seconds, accuracy on the held-out 20%, and the baselines beside it.
#include "annotation/idxfile.h"
#include "models/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <cstdio>

using namespace digitdesk;

namespace {

models::LabelledImages load(const QString &data)
{
    const annotation::IdxArray images =
        annotation::readIdxFile(QDir(data).filePath(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const annotation::IdxArray labels =
        annotation::readIdxFile(QDir(data).filePath(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    models::LabelledImages set;
    set.pixels.assign(images.data.begin(), images.data.end());
    set.labels.assign(labels.data.begin(), labels.data.end());
    return set;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QStringList arguments = application.arguments();
    const auto option = [&](const QString &name, int fallback) {
        const qsizetype at = arguments.indexOf(name);
        return at > 0 && at + 1 < arguments.size() ? arguments.at(at + 1).toInt() : fallback;
    };
    const QString data = arguments.size() > 1 && !arguments.at(1).startsWith(QLatin1Char('-'))
                             ? arguments.at(1)
                             : QStringLiteral(DIGITDESK_DATA_DIR);
    const int threads = option(QStringLiteral("--threads"), 2);
    const int epochs = option(QStringLiteral("--epochs"), 15);
    const bool exampleOnly = arguments.contains(QStringLiteral("--example-only"));
    const bool ownOnly = arguments.contains(QStringLiteral("--own-only"));
    const models::LabelledImages set = load(data);
    QTemporaryDir dir;

    if (!ownOnly) {
        models::TrainingOptions example;
        example.architecture = models::Architecture::ExampleNet;
        example.epochs = 1;
        example.batchSize = 64;
        example.learningRate = 1e-3;
        example.weightDecay = 0;
        example.validationFraction = 0;
        example.augment = false;
        example.oneCycle = false;
        example.threads = threads;
        const auto result =
            models::Trainer::train(set, example, dir.filePath(QStringLiteral("example.pt")));
        std::printf("digitdesk example-net  batch=64 threads=%d  images_per_second: %.1f\n",
                    threads, result.imagesPerSecond);
        std::fflush(stdout);
    }
    if (!exampleOnly) {
        models::TrainingOptions own;
        own.epochs = epochs;
        own.threads = threads;
        const auto result = models::Trainer::train(
            set, own, dir.filePath(QStringLiteral("own.pt")),
            [](const models::TrainingProgress &p) {
                if (p.epochEnd) {
                    std::printf(
                        "  epoch %2d/%d  loss %.4f  train acc %.4f  val acc %.4f  %.0f img/s\n",
                        p.epoch, p.epochs, p.loss, p.accuracy, p.validationAccuracy,
                        p.imagesPerSecond);
                    std::fflush(stdout);
                }
            });
        std::printf("digitdesk own network  %d epochs in %.1f s (%.0f images/s, %s)\n", epochs,
                    result.seconds, result.imagesPerSecond, qPrintable(result.device));
        std::printf(
            "  held-out %lld: accuracy %.4f  NLL %.4f -> %.4f  ECE %.4f -> %.4f (T = %.3f)\n",
            static_cast<long long>(result.validationCount), result.raw.accuracy, result.raw.nll,
            result.calibrated.nll, result.raw.ece, result.calibrated.ece, result.temperature);
        std::printf("  baselines: random %.4f  majority %.4f  nearest centroid %.4f\n",
                    result.baselines.randomGuessAccuracy, result.baselines.majorityAccuracy,
                    result.baselines.nearestCentroidAccuracy);
    }
    return 0;
}
