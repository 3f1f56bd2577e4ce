#include "models/torch/torchbackend.h"

#include "models/oodscore.h"
#include "models/torch/classifier.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/vision.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <QElapsedTimer>
#include <QFile>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace digitdesk::models::detail {
namespace {

namespace F = torch::nn::functional;
constexpr double Pi = 3.14159265358979323846;

std::vector<int64_t> permutation(size_t count, quint64 seed)
{
    std::vector<int64_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(seed);
    for (size_t i = count; i > 1; --i) {
        std::swap(order[i - 1], order[random() % i]);
    }
    return order;
}

torch::Tensor imagesTensor(const LabelledImages &data, const std::vector<int64_t> &indices)
{
    torch::Tensor images =
        torch::empty({static_cast<int64_t>(indices.size()), 1, 28, 28}, torch::kFloat32);
    float *out = images.data_ptr<float>();
    for (size_t i = 0; i < indices.size(); ++i) {
        const uint8_t *in = data.pixels.data() + static_cast<size_t>(indices[i]) * PixelCount;
        for (int p = 0; p < PixelCount; ++p) {
            out[i * PixelCount + static_cast<size_t>(p)] = static_cast<float>(in[p]) / 255.0F;
        }
    }
    return images;
}

torch::Tensor labelsTensor(const LabelledImages &data, const std::vector<int64_t> &indices)
{
    torch::Tensor labels = torch::empty({static_cast<int64_t>(indices.size())}, torch::kInt64);
    int64_t *out = labels.data_ptr<int64_t>();
    for (size_t i = 0; i < indices.size(); ++i) {
        out[i] = data.labels[static_cast<size_t>(indices[i])];
    }
    return labels;
}

// Small random rotation (±10°), scale (0.9-1.1) and shift (±2 px) for every image of a batch.
torch::Tensor augment(const torch::Tensor &batch, torch::Generator &generator)
{
    const int64_t n = batch.size(0);
    const auto uniform = [&](double lo, double hi) {
        return torch::rand({n}, generator, torch::kFloat32) * (hi - lo) + lo;
    };
    const torch::Tensor angle = uniform(-10.0 * Pi / 180.0, 10.0 * Pi / 180.0);
    const torch::Tensor scale = uniform(0.9, 1.1);
    const torch::Tensor shiftX = uniform(-2.0 / 14.0, 2.0 / 14.0);
    const torch::Tensor shiftY = uniform(-2.0 / 14.0, 2.0 / 14.0);
    const torch::Tensor cosine = torch::cos(angle) / scale;
    const torch::Tensor sine = torch::sin(angle) / scale;
    const torch::Tensor theta =
        torch::stack({cosine, -sine, shiftX, sine, cosine, shiftY}, 1).view({n, 2, 3});
    const torch::Tensor grid = F::affine_grid(theta, {n, 1, 28, 28}, false);
    return F::grid_sample(batch, grid,
                          F::GridSampleFuncOptions()
                              .mode(torch::kBilinear)
                              .padding_mode(torch::kZeros)
                              .align_corners(false));
}

double oneCycleRate(const TrainingOptions &options, qint64 step, qint64 steps)
{
    if (!options.oneCycle) {
        return options.learningRate;
    }
    const double peak = options.learningRate;
    const double start = peak / 25.0;
    const double end = start / 1e4;
    const qint64 warmup = std::max<qint64>(1, steps * 3 / 10);
    if (step < warmup) {
        const double t = static_cast<double>(step) / static_cast<double>(warmup);
        return start + (peak - start) * (1 - std::cos(Pi * t)) / 2;
    }
    const double t = static_cast<double>(step - warmup) /
                     static_cast<double>(std::max<qint64>(1, steps - warmup));
    return end + (peak - end) * (1 + std::cos(Pi * t)) / 2;
}

std::vector<float> predictLogits(Classifier &classifier, const torch::Tensor &images, bool cuda)
{
    const torch::InferenceMode inference;
    classifier.setTraining(false);
    std::vector<float> logits;
    logits.reserve(static_cast<size_t>(images.size(0)) * ClassCount);
    for (int64_t first = 0; first < images.size(0); first += 512) {
        torch::Tensor batch =
            images.slice(0, first, std::min<int64_t>(first + 512, images.size(0)));
        if (cuda) {
            batch = batch.to(torch::kCUDA);
        }
        const torch::Tensor out = classifier.forward(batch).to(torch::kCPU).contiguous();
        logits.insert(logits.end(), out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
    }
    return logits;
}

void saveAtomically(Classifier &classifier, const QString &path)
{
    const QString partial = path + QStringLiteral(".partial");
    classifier.save(QFile::encodeName(partial).toStdString());
    QFile::remove(path);
    if (!QFile::rename(partial, path)) {
        throw std::runtime_error(
            QStringLiteral("cannot move %1 into place").arg(path).toStdString());
    }
}

std::vector<uint8_t> gather(const std::vector<uint8_t> &source, const std::vector<int64_t> &indices,
                            size_t width)
{
    std::vector<uint8_t> out;
    out.reserve(indices.size() * width);
    for (int64_t index : indices) {
        const auto begin =
            source.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(index) * width);
        out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(width));
    }
    return out;
}

} // namespace

TrainingResult TorchBackend::train(const LabelledImages &data, const TrainingOptions &options,
                                   const QString &outputPath,
                                   const Trainer::ProgressHandler &progress,
                                   const std::atomic<bool> *cancel)
{
    const ComputeDevice device = chooseDevice(options.device);
    torch::manual_seed(options.seed);
    torch::Generator generator = at::detail::createCPUGenerator(options.seed);

    std::unique_ptr<Classifier> classifier;
    if (!options.initialWeights.isEmpty()) {
        if (options.architecture == Architecture::TorchScript) {
            throw std::runtime_error("a TorchScript model cannot be trained further here");
        }
        classifier = loadClassifier(QFile::encodeName(options.initialWeights).toStdString(),
                                    options.architecture);
    } else {
        classifier =
            options.architecture == Architecture::ExampleNet ? makeExampleNet() : makeDigitNet();
    }
    if (device.cuda) {
        classifier->moveToCuda();
    }
    torch::nn::Module &module = *classifier->trainable();

    const std::vector<int64_t> order = permutation(data.count(), options.splitSeed);
    const auto validationCount = static_cast<size_t>(
        std::floor(static_cast<double>(data.count()) * options.validationFraction));
    const std::vector<int64_t> trainIndices(
        order.begin(), order.end() - static_cast<std::ptrdiff_t>(validationCount));
    const std::vector<int64_t> validationIndices(
        order.end() - static_cast<std::ptrdiff_t>(validationCount), order.end());
    const torch::Tensor trainImages = imagesTensor(data, trainIndices);
    const torch::Tensor trainLabels = labelsTensor(data, trainIndices);
    const torch::Tensor validationImages = imagesTensor(data, validationIndices);

    // Without weight decay AdamW is Adam; plain Adam skips the decoupled decay pass.
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    if (options.weightDecay > 0) {
        optimizer = std::make_unique<torch::optim::AdamW>(
            module.parameters(),
            torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
    } else {
        optimizer = std::make_unique<torch::optim::Adam>(
            module.parameters(), torch::optim::AdamOptions(options.learningRate));
    }
    const auto trainCount = static_cast<int64_t>(trainIndices.size());
    const qint64 stepsPerEpoch = (trainCount + options.batchSize - 1) / options.batchSize;
    const qint64 steps = stepsPerEpoch * options.epochs;

    TrainingResult result;
    result.trainCount = trainCount;
    result.validationCount = static_cast<qint64>(validationCount);
    result.device = device.description;
    QElapsedTimer timer;
    timer.start();
    qint64 step = 0;
    qint64 seen = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        classifier->setTraining(true);
        const std::vector<int64_t> shuffled =
            permutation(static_cast<size_t>(trainCount),
                        options.seed * 1000003ULL + static_cast<quint64>(epoch));
        const torch::Tensor epochOrder =
            torch::from_blob(const_cast<int64_t *>(shuffled.data()), {trainCount}, torch::kInt64);
        double lossSum = 0;
        int64_t correct = 0;
        int64_t epochSeen = 0;
        qint64 lastReport = -1;
        for (int64_t first = 0; first < trainCount; first += options.batchSize) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                result.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
                return result;
            }
            const torch::Tensor indices = epochOrder.slice(
                0, first, std::min<int64_t>(first + options.batchSize, trainCount));
            torch::Tensor batch = trainImages.index_select(0, indices);
            torch::Tensor labels = trainLabels.index_select(0, indices);
            if (options.augment) {
                batch = augment(batch, generator);
            }
            if (device.cuda) {
                batch = batch.to(torch::kCUDA);
                labels = labels.to(torch::kCUDA);
            }
            const double rate = oneCycleRate(options, step, steps);
            if (options.oneCycle) {
                for (auto &group : optimizer->param_groups()) {
                    group.options().set_lr(rate);
                }
            }
            optimizer->zero_grad();
            const torch::Tensor logits = classifier->forward(batch);
            const torch::Tensor loss = F::cross_entropy(logits, labels);
            loss.backward();
            optimizer->step();

            const int64_t n = indices.size(0);
            ++step;
            seen += n;
            epochSeen += n;
            lossSum += loss.item<double>() * static_cast<double>(n);
            correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
            const qint64 elapsedMs = timer.elapsed();
            if (progress && (elapsedMs - lastReport >= 250 || first + n >= trainCount)) {
                lastReport = elapsedMs;
                TrainingProgress report;
                report.epoch = epoch;
                report.epochs = options.epochs;
                report.step = step;
                report.steps = steps;
                report.loss = lossSum / static_cast<double>(epochSeen);
                report.accuracy = static_cast<double>(correct) / static_cast<double>(epochSeen);
                report.learningRate = rate;
                report.imagesPerSecond =
                    static_cast<double>(seen) / std::max(1e-9, elapsedMs / 1000.0);
                report.etaSeconds = static_cast<double>(steps - step) * (elapsedMs / 1000.0) /
                                    static_cast<double>(step);
                if (first + n >= trainCount) {
                    report.epochEnd = true;
                    if (validationCount > 0) {
                        const std::vector<float> logitsNow =
                            predictLogits(*classifier, validationImages, device.cuda);
                        std::vector<uint8_t> validationLabels =
                            gather(data.labels, validationIndices, 1);
                        report.validationAccuracy = evaluate(logitsNow, validationLabels).accuracy;
                    }
                }
                progress(report);
            }
        }
        result.epochsDone = epoch;
        if (!options.checkpointPath.isEmpty()) {
            saveAtomically(*classifier, options.checkpointPath);
        }
    }
    result.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    result.imagesPerSecond = static_cast<double>(seen) / result.seconds;

    if (validationCount > 0) {
        const std::vector<float> logits = predictLogits(*classifier, validationImages, device.cuda);
        const std::vector<uint8_t> validationLabels = gather(data.labels, validationIndices, 1);
        result.raw = evaluate(logits, validationLabels, 1.0);
        result.temperature = fitTemperature(logits, validationLabels);
        result.calibrated = evaluate(logits, validationLabels, result.temperature);
        std::vector<double> scores(validationCount);
        for (size_t i = 0; i < validationCount; ++i) {
            scores[i] = energyScore(logits.data() + i * ClassCount);
        }
        result.oodThreshold = quantileOf(std::move(scores), OodQuantile);
        result.baselines = computeBaselines(
            gather(data.pixels, trainIndices, PixelCount), gather(data.labels, trainIndices, 1),
            gather(data.pixels, validationIndices, PixelCount), validationLabels);
    }
    classifier->setTraining(false);
    saveAtomically(*classifier, outputPath);
    return result;
}

} // namespace digitdesk::models::detail
