#include "tests/bench/learningcurvesim.h"

#include "tests/bench/learningcurvepolicy.h"

#include "annotation/annotationservice.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "annotation/reviewservice.h"
#include "models/predictor.h"
#include "models/trainer.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/label.h"
#include "storage/transaction.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QHash>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <tuple>

namespace digitdesk::bench {
namespace {

constexpr int PixelCount = 784;
constexpr quint64 HeldOutSeed = 20261211; // fixed: every policy and seed sees the same digits

template <typename T> void shuffle(std::vector<T> &values, quint64 seed)
{
    std::mt19937_64 random(seed);
    for (size_t i = values.size(); i > 1; --i) {
        std::swap(values[i - 1], values[random() % i]);
    }
}

std::vector<uint8_t> pixelsOf(const Digits &digits, const std::vector<int> &indices)
{
    std::vector<uint8_t> pixels;
    pixels.reserve(indices.size() * PixelCount);
    for (int index : indices) {
        const auto *begin = reinterpret_cast<const uint8_t *>(digits.pixels.constData()) +
                            static_cast<size_t>(index) * PixelCount;
        pixels.insert(pixels.end(), begin, begin + PixelCount);
    }
    return pixels;
}

double heldOutAccuracy(models::Predictor &predictor, const Digits &digits,
                       const std::vector<int> &heldOut, const std::vector<uint8_t> &pixels)
{
    const std::vector<models::Prediction> answers =
        predictor.predict(pixels.data(), static_cast<int>(heldOut.size()));
    int right = 0;
    for (size_t i = 0; i < heldOut.size(); ++i) {
        right += answers[i].label == digits.labelAt(heldOut[i]) ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(heldOut.size());
}

// The simulation's side of one workspace: who does what, and which image is which digit.
struct Simulation
{
    const Digits &digits;
    const CurveSettings &settings;
    std::unique_ptr<storage::Workspace> workspace;
    annotation::Principal annotator, reviewer, engineer;
    QHash<qint64, int> digitOfImage;
    std::vector<qint64> pool;     // incoming images, for the policies that are not the queue's
    std::vector<int> trainingSet; // digits with an approved label the model learns from
    std::vector<uint8_t> trainingLabels; // those approved labels, right or not
    qint64 modelId = 0;
    std::mt19937_64 mistakes; // the annotator's wrong answers and the reviewer's catches
    int wrongAnswers = 0;
    int caught = 0;

    bool happens(double share)
    {
        return std::uniform_real_distribution<double>(0, 1)(mistakes) < share;
    }

    // The annotator's answer for `digit`: its true label, or now and then another digit.
    int answerFor(int digit)
    {
        const int truth = digits.labelAt(digit);
        if (!happens(settings.wrongAnswers)) {
            return truth;
        }
        ++wrongAnswers;
        return (truth + 1 + static_cast<int>(mistakes() % 9)) % 10;
    }

    // The reviewer approves the annotator's label, or corrects it when they catch a wrong one;
    // the approved label joins the training data.
    void review(annotation::ReviewService &reviews, qint64 imageId, int digit, int given)
    {
        const int truth = digits.labelAt(digit);
        int approved = given;
        if (given != truth && happens(settings.reviewerCatches)) {
            reviews.correct(reviewer, imageId, storage::Label::fromDigit(truth));
            approved = truth;
            ++caught;
        } else {
            reviews.approve(reviewer, imageId);
        }
        trainingSet.push_back(digit);
        trainingLabels.push_back(static_cast<uint8_t>(approved));
    }

    // Trains (from the current model's weights when there is one), registers and promotes.
    double trainAndPromote(int epochs, quint64 seed, const QString &what)
    {
        annotation::ModelRegistry registry(workspace->db(), workspace->root());
        models::LabelledImages data;
        data.pixels = pixelsOf(digits, trainingSet);
        data.labels = trainingLabels;
        models::TrainingOptions options;
        options.epochs = epochs;
        options.seed = seed;
        options.threads = settings.threads;
        options.device = models::DeviceRequest::Cpu;
        if (modelId != 0) {
            options.initialWeights = registry.absolutePath(registry.find(modelId));
        }
        const QString file = QDir(workspace->root()).filePath(QStringLiteral("training.pt"));
        const models::TrainingResult result = models::Trainer::train(data, options, file);
        const qint64 runId = registry.beginTraining(engineer, what, what, QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.temperature = result.temperature;
        trained.hyperparameters = QStringLiteral("{\"epochs\":%1}").arg(epochs);
        trained.metrics = QStringLiteral("{}");
        trained.dataDigest = what;
        modelId = registry.registerTrained(engineer, runId, trained);
        registry.promote(engineer, modelId, what);
        return result.seconds;
    }

    std::unique_ptr<models::Predictor> predictor() const
    {
        return annotation::ModelRegistry(workspace->db(), workspace->root())
            .openPredictor(modelId, models::DeviceRequest::Cpu);
    }

    // The annotator takes `count` items from the queue in its order. Returns the decisions
    // that were gold items (answered, but nothing new to learn from).
    int labelFromQueue(int count)
    {
        annotation::updatePredictions(workspace->db(), workspace->root(),
                                      models::DeviceRequest::Cpu);
        annotation::AnnotationService annotate(workspace->db());
        annotation::ReviewService reviews(workspace->db());
        int gold = 0;
        for (int decided = 0; decided < count; ++decided) {
            const std::optional<annotation::QueueItem> item = annotate.next(annotator);
            if (!item) {
                break;
            }
            const int digit = digitOfImage.value(item->imageId);
            const int given = answerFor(digit);
            const annotation::LabelDecision decision =
                annotate.label(annotator, item->imageId, storage::Label::fromDigit(given), 1000);
            if (decision.goldLabel) {
                ++gold; // checked against its known answer, not learnt from
                wrongAnswers -= given == digits.labelAt(digit) ? 0 : 1;
            } else {
                review(reviews, item->imageId, digit, given);
                const auto at = std::find(pool.begin(), pool.end(), item->imageId);
                if (at != pool.end()) {
                    pool.erase(at);
                }
            }
        }
        return gold;
    }

    // The annotator labels the `count` pool items the policy ranks first.
    void labelInOrder(Policy policy, int count, quint64 seed)
    {
        std::vector<qint64> order = pool;
        if (policy == Policy::Random) {
            shuffle(order, seed);
        } else {
            std::vector<int> poolDigits;
            for (qint64 id : pool) {
                poolDigits.push_back(digitOfImage.value(id));
            }
            const std::vector<uint8_t> pixels = pixelsOf(digits, poolDigits);
            const std::vector<models::Prediction> answers =
                predictor()->predict(pixels.data(), static_cast<int>(pool.size()));
            order = rankedPool(policy, pool, answers);
        }
        order.resize(std::min(order.size(), static_cast<size_t>(count)));
        annotation::AnnotationService annotate(workspace->db());
        annotation::ReviewService reviews(workspace->db());
        for (qint64 id : order) {
            const int digit = digitOfImage.value(id);
            const int given = answerFor(digit);
            annotate.label(annotator, id, storage::Label::fromDigit(given), 1000);
            review(reviews, id, digit, given);
        }
        const QSet<qint64> taken(order.begin(), order.end());
        pool.erase(
            std::remove_if(pool.begin(), pool.end(), [&](qint64 id) { return taken.contains(id); }),
            pool.end());
    }
};

} // namespace

Digits readDemoDigits(const QString &dataDir)
{
    Digits digits;
    QSet<QString> seen;
    for (const char *part : {"demo-train", "demo-incoming"}) {
        const QString prefix = QDir(dataDir).filePath(QString::fromLatin1(part));
        const QByteArray pixels =
            annotation::readIdxFile(prefix + QStringLiteral("-images-idx3-ubyte")).data;
        const QByteArray labels =
            annotation::readIdxFile(prefix + QStringLiteral("-labels-idx1-ubyte")).data;
        if (pixels.size() != labels.size() * PixelCount) {
            throw annotation::ImportError(QStringLiteral("%1: %2 images but %3 labels")
                                              .arg(prefix)
                                              .arg(pixels.size() / PixelCount)
                                              .arg(labels.size()));
        }
        for (qsizetype i = 0; i < labels.size(); ++i) {
            const QByteArray image = pixels.mid(i * PixelCount, PixelCount);
            const QString sha = storage::BlobStore::digestOf(image);
            if (!seen.contains(sha)) {
                seen.insert(sha);
                digits.pixels += image;
                digits.labels += labels.at(i);
            }
        }
    }
    return digits;
}

DigitSplit splitDigits(const Digits &digits, int heldOutCount)
{
    std::vector<int> order(static_cast<size_t>(digits.count()));
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, HeldOutSeed);
    const auto cut = static_cast<std::ptrdiff_t>(
        std::min<size_t>(order.size(), static_cast<size_t>(std::max(0, heldOutCount))));
    return {{order.begin(), order.begin() + cut}, {order.begin() + cut, order.end()}};
}

CurveRun runCurve(const Digits &digits, const DigitSplit &split, Policy policy, int seed,
                  const CurveSettings &settings, const QString &folder,
                  const std::function<void(const QString &)> &progress)
{
    using annotation::Role;
    Simulation sim{digits, settings, storage::Workspace::create(folder),
                   {},     {},       {},
                   {},     {},       {},
                   {},     0,        std::mt19937_64(static_cast<quint64>(seed) * 7919ULL + 17ULL),
                   0,      0};
    sim.annotator = testing::addUser(*sim.workspace, QStringLiteral("ann"), Role::Annotator);
    sim.reviewer = testing::addUser(*sim.workspace, QStringLiteral("rita"), Role::Reviewer);
    sim.engineer = testing::addUser(*sim.workspace, QStringLiteral("eve"), Role::MlEngineer);
    // The simulation measures labels, not durability: without an fsync per label and review
    // commit, a curve's thousands of decisions cost a fraction of its training time.
    QSqlQuery(sim.workspace->db()).exec(QStringLiteral("PRAGMA synchronous=OFF"));
    // The simulation promotes every retrained model: no ML QA in the loop.
    testing::waiveSignOff(*sim.workspace);

    // This seed's start digits are approved imports; the rest of the pool waits, incoming.
    std::vector<int> order = split.rest;
    shuffle(order, static_cast<quint64>(seed));
    const size_t start = std::min(order.size(), static_cast<size_t>(settings.start));
    std::vector<qint64> startImages;
    {
        storage::ImageRepository images(sim.workspace->db());
        storage::Transaction transaction(sim.workspace->db());
        for (size_t i = 0; i < order.size(); ++i) {
            storage::NewImage image;
            image.pixels = digits.imageAt(order[i]);
            image.sha256 = storage::BlobStore::digestOf(image.pixels);
            image.source = QStringLiteral("demo");
            if (i < start) {
                image.labelKind = storage::ImportedLabel::Approved;
                image.label = storage::Label::fromDigit(digits.labelAt(order[i]));
            }
            const qint64 id = images.insert(image, {QStringLiteral("learning_curve"), 0, 0});
            sim.digitOfImage.insert(id, order[i]);
            if (i < start) {
                startImages.push_back(id);
                sim.trainingSet.push_back(order[i]);
                sim.trainingLabels.push_back(static_cast<uint8_t>(digits.labelAt(order[i])));
            } else {
                sim.pool.push_back(id);
            }
        }
        transaction.commit();
    }
    annotation::ReviewService review(sim.workspace->db());
    for (size_t i = 0; i < startImages.size() && static_cast<int>(i) < settings.goldItems; ++i) {
        review.markGold(sim.reviewer, startImages[i]);
    }

    CurveRun run;
    run.policy = policy;
    run.seed = seed;
    run.wrongShare = settings.wrongAnswers;
    const std::vector<uint8_t> heldOutPixels = pixelsOf(digits, split.heldOut);
    int labels = static_cast<int>(start);
    run.trainingSeconds += sim.trainAndPromote(settings.startEpochs, static_cast<quint64>(seed),
                                               QStringLiteral("start"));
    for (int round = 0;; ++round) {
        const double accuracy =
            heldOutAccuracy(*sim.predictor(), digits, split.heldOut, heldOutPixels);
        run.points.push_back({labels, static_cast<int>(sim.trainingSet.size()), accuracy});
        if (progress) {
            progress(QStringLiteral("%1, seed %2, round %3: %4 labels, %5 learnt from, "
                                    "held-out accuracy %6%")
                         .arg(nameOf(policy))
                         .arg(seed)
                         .arg(round)
                         .arg(labels)
                         .arg(sim.trainingSet.size())
                         .arg(accuracy * 100, 0, 'f', 2));
        }
        if (round == settings.rounds || sim.pool.empty()) {
            break;
        }
        const size_t before = sim.trainingSet.size();
        int gold = 0;
        if (policy == Policy::DefaultQueue) {
            gold = sim.labelFromQueue(settings.batch);
        } else {
            sim.labelInOrder(policy, settings.batch,
                             static_cast<quint64>(seed) * 1000003ULL + static_cast<quint64>(round));
        }
        run.goldAnswers += gold;
        labels += static_cast<int>(sim.trainingSet.size() - before) + gold;
        run.trainingSeconds += sim.trainAndPromote(settings.roundEpochs,
                                                   static_cast<quint64>(seed) * 1000ULL +
                                                       static_cast<quint64>(round) + 1,
                                                   QStringLiteral("round %1").arg(round + 1));
    }
    run.wrongAnswers = sim.wrongAnswers;
    run.caught = sim.caught;
    return run;
}

} // namespace digitdesk::bench
