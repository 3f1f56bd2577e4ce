#include "annotation/datacheckrunner.h"

#include "annotation/confidentlearning.h"
#include "annotation/nearduplicates.h"
#include "models/oodscore.h"
#include "models/predictor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace digitdesk::annotation {
namespace {

using models::ClassCount;
using models::PixelCount;

// Apart from the trainer's seeds, so the folds do not line up with its own split.
constexpr quint64 FoldSeedSalt = 0x5eedf01dULL;
constexpr size_t MaxCentreImages = 3000;
constexpr double RadiusQuantile = 0.99;

models::LabelledImages subset(const models::LabelledImages &images,
                              const std::vector<size_t> &indices)
{
    models::LabelledImages part;
    part.pixels.resize(indices.size() * PixelCount);
    part.labels.resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
        std::copy_n(images.pixels.begin() + std::ptrdiff_t(indices[i] * PixelCount), PixelCount,
                    part.pixels.begin() + std::ptrdiff_t(i * PixelCount));
        part.labels[i] = images.labels[indices[i]];
    }
    return part;
}

double distance(const float *a, const float *b, int dimension)
{
    double sum = 0;
    for (int i = 0; i < dimension; ++i) {
        const double d = double(a[i]) - double(b[i]);
        sum += d * d;
    }
    return std::sqrt(sum);
}

// Class centres and radii in a fold model's embedding, from (some of) its training images.
struct ClassRegions
{
    int dimension = 0;
    std::vector<std::vector<float>> centres; // empty for a class with no image
    std::array<double, ClassCount> radius{};

    // The nearest centre's distance over its radius.
    double relativeDistance(const float *embedding) const
    {
        double best = INFINITY;
        for (int label = 0; label < ClassCount; ++label) {
            if (!centres[label].empty() && radius[label] > 0) {
                best = std::min(best, distance(embedding, centres[label].data(), dimension) /
                                          radius[label]);
            }
        }
        return best;
    }
};

ClassRegions classRegions(models::Predictor &predictor, const models::LabelledImages &train)
{
    const size_t count = std::min(train.count(), MaxCentreImages);
    ClassRegions regions;
    const std::vector<float> embedded =
        predictor.embeddings(train.pixels.data(), int(count), &regions.dimension);
    const auto row = [&](size_t i) {
        return embedded.data() + i * size_t(regions.dimension);
    };
    regions.centres.assign(ClassCount, {});
    std::array<int, ClassCount> members{};
    for (size_t i = 0; i < count; ++i) {
        std::vector<float> &centre = regions.centres[train.labels[i]];
        centre.resize(size_t(regions.dimension), 0.0F);
        for (int d = 0; d < regions.dimension; ++d) {
            centre[size_t(d)] += row(i)[d];
        }
        ++members[train.labels[i]];
    }
    for (int label = 0; label < ClassCount; ++label) {
        for (float &value : regions.centres[label]) {
            value /= float(members[label]);
        }
    }
    std::array<std::vector<double>, ClassCount> distances;
    for (size_t i = 0; i < count; ++i) {
        const int label = train.labels[i];
        distances[label].push_back(
            distance(row(i), regions.centres[label].data(), regions.dimension));
    }
    for (int label = 0; label < ClassCount; ++label) {
        if (!distances[label].empty()) {
            regions.radius[label] = models::quantileOf(std::move(distances[label]), RadiusQuantile);
        }
    }
    return regions;
}

} // namespace

std::optional<DataCheckReport>
runDataCheck(const DataCheckData &data, const DataCheckOptions &options, const QString &workFolder,
             const std::function<void(const DataCheckProgress &)> &progress,
             const std::atomic<bool> *cancel)
{
    const size_t count = data.images.count();
    const int folds = options.folds;
    if (folds < 2 || count < size_t(folds) * MinImagesPerFold) {
        throw std::invalid_argument(
            QStringLiteral("%1 digit images are too few for %2 folds: a check needs at least %3")
                .arg(count)
                .arg(folds)
                .arg(std::max(folds, 2) * MinImagesPerFold)
                .toStdString());
    }
    QElapsedTimer clock;
    clock.start();
    const auto report = [&](DataCheckProgress step) {
        if (progress) {
            step.folds = folds;
            step.epochs = options.epochs;
            const double elapsed = double(clock.elapsed()) / 1000.0;
            step.etaSeconds = step.done > 0.02 ? elapsed * (1 - step.done) / step.done : -1;
            progress(step);
        }
    };

    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i) {
        order[i] = i;
    }
    std::mt19937_64 random(options.seed ^ FoldSeedSalt);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<int> foldOf(count);
    for (size_t position = 0; position < count; ++position) {
        foldOf[order[position]] = int(position % size_t(folds));
    }

    std::vector<float> probabilities(count * ClassCount);
    std::vector<double> classDistance(count, 0);
    std::vector<double> oodScore(count, 0);
    std::vector<bool> ood(count, false);
    // Training takes about 95% of the time; the rest is shared out below.
    constexpr double TrainingShare = 0.95;
    for (int fold = 0; fold < folds; ++fold) {
        std::vector<size_t> trainIndices;
        std::vector<size_t> testIndices;
        for (size_t i = 0; i < count; ++i) {
            (foldOf[i] == fold ? testIndices : trainIndices).push_back(i);
        }
        const models::LabelledImages train = subset(data.images, trainIndices);
        const models::LabelledImages test = subset(data.images, testIndices);
        models::TrainingOptions training;
        training.epochs = options.epochs;
        training.seed = options.seed + quint64(fold);
        training.threads = options.threads;
        training.device = options.device;
        training.validationFraction = 0.1; // fits the temperature and the OOD threshold
        const QString modelPath = QDir(workFolder).filePath(QStringLiteral("fold-%1.pt").arg(fold));
        const models::TrainingResult result = models::Trainer::train(
            train, training, modelPath,
            [&](const models::TrainingProgress &p) {
                const double within = p.steps > 0 ? double(p.step) / double(p.steps) : 0;
                report({QStringLiteral("fold"), fold + 1, folds, p.epoch, p.epochs,
                        TrainingShare * (fold + within) / folds});
            },
            cancel);
        if (result.cancelled || (cancel && cancel->load())) {
            return std::nullopt;
        }
        // The model's own probabilities (temperature 1): a temperature fitted on a split that
        // holds label errors flattens them, and fewer flips clear their class's threshold.
        auto predictor =
            models::Predictor::load(modelPath, training.architecture, 1.0, options.device);
        const std::vector<models::Prediction> predictions =
            predictor->predict(test.pixels.data(), int(test.count()));
        const ClassRegions regions = classRegions(*predictor, train);
        int dimension = 0;
        const std::vector<float> embedded =
            predictor->embeddings(test.pixels.data(), int(test.count()), &dimension);
        for (size_t i = 0; i < testIndices.size(); ++i) {
            const size_t item = testIndices[i];
            std::copy(predictions[i].probabilities.begin(), predictions[i].probabilities.end(),
                      probabilities.begin() + std::ptrdiff_t(item * ClassCount));
            oodScore[item] = predictions[i].oodScore;
            ood[item] = result.oodThreshold && predictions[i].oodScore > *result.oodThreshold;
            classDistance[item] = regions.relativeDistance(embedded.data() + i * size_t(dimension));
        }
        QFile::remove(modelPath);
    }

    DataCheckReport checked;
    checked.images = int(count);
    checked.folds = folds;
    checked.epochs = options.epochs;
    const ConfidentLearning learning = findLabelIssues(probabilities, data.images.labels);
    checked.thresholds = learning.thresholds;
    int right = 0;
    for (size_t i = 0; i < count; ++i) {
        const float *row = probabilities.data() + i * ClassCount;
        right += int(std::max_element(row, row + ClassCount) - row) == data.images.labels[i];
        ++checked.counts[data.images.labels[i]];
    }
    checked.outOfFoldAccuracy = double(right) / double(count);
    for (const LabelIssue &issue : learning.issues) {
        checked.suspects.push_back({data.sha256[issue.index], issue.givenLabel,
                                    issue.suspectedLabel, issue.confidence,
                                    issue.givenProbability});
    }

    report({QStringLiteral("duplicates"), 0, folds, 0, 0, TrainingShare});
    std::vector<bool> isHeldOut(count, false);
    for (size_t index : data.heldOut) {
        if (index < count) {
            isHeldOut[index] = true;
        }
    }
    checked.heldOut = int(data.heldOut.size());
    std::vector<bool> leaking(count, false);
    for (const NearDuplicate &pair : findNearDuplicates(data.images.pixels.data(), count)) {
        const bool leakage = isHeldOut[pair.first] != isHeldOut[pair.second];
        if (leakage) {
            leaking[isHeldOut[pair.first] ? pair.first : pair.second] = true;
        }
        checked.nearDuplicates.push_back({data.sha256[pair.first], data.sha256[pair.second],
                                          data.images.labels[pair.first],
                                          data.images.labels[pair.second], pair.distance, leakage});
    }
    checked.leakingHeldOut = int(std::count(leaking.begin(), leaking.end(), true));

    report({QStringLiteral("report"), 0, folds, 0, 0, 0.99});
    std::vector<size_t> strange;
    for (size_t i = 0; i < count; ++i) {
        const bool far = classDistance[i] > 1;
        checked.farCount += far;
        checked.oodCount += ood[i];
        if (far || ood[i]) {
            strange.push_back(i);
        }
    }
    std::sort(strange.begin(), strange.end(),
              [&](size_t a, size_t b) { return classDistance[a] > classDistance[b]; });
    strange.resize(std::min(strange.size(), size_t(DataCheckReport::MaxOutliersListed)));
    for (size_t i : strange) {
        checked.outliers.push_back({data.sha256[i], data.images.labels[i], classDistance[i],
                                    oodScore[i], classDistance[i] > 1, ood[i]});
    }
    checked.seconds = double(clock.elapsed()) / 1000.0;
    return checked;
}

} // namespace digitdesk::annotation
