// loop_bench: one whole turn of the human-in-the-loop cycle on the demo data, step by step.
//
//     loop_bench [DATA_DIR] [--label N] [--epochs N] [--rate R] [--keep]
//
// DATA_DIR defaults to the folder `make data` fills; --keep leaves the workspace behind.
//
// 1. `digitdesk demo create` into a fresh folder: 8,000 approved digits, 2,000 incoming ones and
//    a production model trained on the approved ones (the demo's fixed 8 epochs).
// 2. The demo's annotator logs in and labels the first N items of the queue (500; the model's
//    least sure answers first, with the queue's share of confident ones mixed in) with their
//    true MNIST label, making the calls the annotate view makes for each key; the demo's
//    reviewer logs in and approves them.
// 3. The reviewer commits a dataset version; `digitdesk train --dataset vN` retrains on it with
//    the product's defaults (or --epochs N).
// 4. `digitdesk eval --model NEW --against production --dataset vN --json`, and both models on
//    all 2,000 incoming digits with their true labels, through ModelRegistry::openPredictor.
// 5. `digitdesk models promote NEW` while an open-loop load runs against `digitdesk serve`
//    (promotionunderload.h).
#include "annotation/authservice.h"
#include "annotation/datasetservice.h"
#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/releasesignoff.h"
#include "annotation/statistics.h"
#include "models/predictor.h"
#include "tests/bench/loopsteps.h"
#include "tests/bench/promotionunderload.h"
#include "tests/support/datasetfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <numeric>
#include <thread>

using namespace digitdesk;
using namespace digitdesk::bench;

namespace {

constexpr int LoadImageCount = 256;

QString optionValue(const QStringList &arguments, const QString &name, const QString &fallback)
{
    const qsizetype at = arguments.indexOf(name);
    return at > 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : fallback;
}

std::string pngOf(const QByteArray &pixels)
{
    cv::Mat image(28, 28, CV_8UC1, const_cast<char *>(pixels.constData()));
    std::vector<uchar> png;
    cv::imencode(".png", image, png);
    return {png.begin(), png.end()};
}

// Both models' answers on one part of the incoming digits.
struct PairedAccuracy
{
    int count = 0;
    int oldRight = 0;
    int newRight = 0;
    int onlyOldRight = 0;
    int onlyNewRight = 0;
};

void printAccuracy(const char *what, const PairedAccuracy &p, qint64 oldModel, qint64 newModel)
{
    const annotation::Interval oldCi = annotation::wilsonInterval(p.oldRight, p.count);
    const annotation::Interval newCi = annotation::wilsonInterval(p.newRight, p.count);
    const annotation::McNemarTest test = annotation::mcNemarTest(p.onlyNewRight, p.onlyOldRight);
    std::printf("    %-40s %5d  model %lld %6.2f%% (%5.2f-%5.2f)  model %lld %6.2f%% "
                "(%5.2f-%5.2f)  only new right %d, only old right %d, p = %.3g\n",
                what, p.count, static_cast<long long>(oldModel),
                100.0 * p.oldRight / std::max(1, p.count), 100 * oldCi.lower, 100 * oldCi.upper,
                static_cast<long long>(newModel), 100.0 * p.newRight / std::max(1, p.count),
                100 * newCi.lower, 100 * newCi.upper, p.onlyNewRight, p.onlyOldRight, test.pValue);
}

// The SHA-256s of the images a model trained on an IDX pair learnt from and of those it held
// out, by the trainer's split.
struct SplitShas
{
    QSet<QString> train;
    QSet<QString> heldOut;
};

SplitShas splitShas(const QString &imagesFile)
{
    const annotation::IdxArray images = annotation::readIdxFile(imagesFile);
    const annotation::HeldOutSplit split =
        annotation::heldOutSplit(static_cast<size_t>(images.itemCount()));
    SplitShas shas;
    for (auto [indices, set] :
         {std::pair{&split.train, &shas.train}, std::pair{&split.heldOut, &shas.heldOut}}) {
        for (size_t index : *indices) {
            set->insert(storage::BlobStore::digestOf(
                images.data.mid(static_cast<qsizetype>(index) * 784, 784)));
        }
    }
    return shas;
}

// The version's split, from the IDX pair `digitdesk train` checks out of it.
SplitShas versionSplit(const storage::Workspace &workspace, const QString &tag)
{
    const QTemporaryDir checkout;
    const auto [images, labels] =
        annotation::DatasetService(workspace.db(), workspace.root())
            .trainingFiles(annotation::Principal::localOperator(), tag, checkout.path());
    return splitShas(images);
}

int countIn(const QSet<QString> &shas, const QSet<QString> &in)
{
    int count = 0;
    for (const QString &sha : shas) {
        count += in.contains(sha) ? 1 : 0;
    }
    return count;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const int labelCount =
        optionValue(arguments, QStringLiteral("--label"), QStringLiteral("500")).toInt();
    const QString epochs = optionValue(arguments, QStringLiteral("--epochs"), QString());
    const double rate =
        optionValue(arguments, QStringLiteral("--rate"), QStringLiteral("500")).toDouble();
    if (labelCount < 1 || rate <= 0 || (!epochs.isEmpty() && epochs.toInt() < 1)) {
        std::fprintf(stderr,
                     "usage: loop_bench [DATA_DIR] [--label N] [--epochs N] [--rate R] [--keep]\n");
        return 2;
    }
    const QString dataDir =
        argc > 1 && !arguments.at(1).startsWith(QLatin1Char('-'))
            ? arguments.at(1)
            : QFileInfo(testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")))
                  .path();
    QTemporaryDir temp;
    temp.setAutoRemove(!arguments.contains(QStringLiteral("--keep")));
    const QString folder = temp.filePath(QStringLiteral("ws"));
    QElapsedTimer total;
    total.start();

    std::printf("loop_bench: %u cores, demo data %s\n\n", std::thread::hardware_concurrency(),
                qPrintable(dataDir));
    std::printf("1. digitdesk demo create %s\n", qPrintable(folder));
    std::fflush(stdout);
    QElapsedTimer step;
    step.start();
    const testing::CliRun demo =
        testing::runDigitdesk({QStringLiteral("demo"), QStringLiteral("create"), folder,
                               QStringLiteral("--data"), dataDir},
                              {}, 1800000);
    const double demoSeconds = step.elapsed() / 1000.0;
    const QHash<QString, QString> passwords = demoPasswords(demo.out);
    if (demo.exitCode != 0 || !passwords.contains(QStringLiteral("annotator")) ||
        !passwords.contains(QStringLiteral("reviewer"))) {
        std::fprintf(stderr, "loop_bench: demo create failed (%d):\n%s%s\n", demo.exitCode,
                     qPrintable(demo.out), qPrintable(demo.err));
        return 1;
    }
    const auto workspace = storage::Workspace::open(folder);
    const annotation::ModelRegistry registry(workspace->db(), workspace->root());
    const qint64 oldModel = registry.production().value_or(0);
    const IncomingDigits incoming = readIncomingDigits(dataDir);
    const std::vector<models::Prediction> oldAnswers =
        predictionsOf(registry, oldModel, incoming.pixels, incoming.count());
    const QString demoEpochs =
        QRegularExpression(QStringLiteral("\\((\\d+) epochs\\)")).match(demo.err).captured(1);
    std::printf("   %.1f s; production is model %lld\n", demoSeconds,
                static_cast<long long>(oldModel));

    std::printf("2. the annotator labels %d items of the queue, the reviewer approves them\n",
                labelCount);
    std::fflush(stdout);
    annotation::AuthService auth(workspace->db());
    const annotation::LoginResult annotator =
        auth.login(QStringLiteral("annotator"), passwords.value(QStringLiteral("annotator")),
                   QStringLiteral("loop_bench"));
    const annotation::LoginResult reviewer =
        auth.login(QStringLiteral("reviewer"), passwords.value(QStringLiteral("reviewer")),
                   QStringLiteral("loop_bench"));
    if (!annotator.ok() || !reviewer.ok()) {
        std::fprintf(stderr, "loop_bench: login failed: %s %s\n", qPrintable(annotator.message),
                     qPrintable(reviewer.message));
        return 1;
    }
    const LabellingFigures labelling =
        labelFromQueue(*workspace, incoming, annotator.principal, labelCount);
    const ReviewFigures review = approveAll(*workspace, reviewer.principal, labelling.labelled);
    std::printf("   labelled %d in %.1f s, approved %d in %.1f s\n", labelling.labelled,
                labelling.seconds, review.approved, review.seconds);
    std::vector<size_t> byConfidence(oldAnswers.size());
    std::iota(byConfidence.begin(), byConfidence.end(), 0);
    std::stable_sort(byConfidence.begin(), byConfidence.end(), [&](size_t l, size_t r) {
        return oldAnswers[l].confidence < oldAnswers[r].confidence;
    });
    int leastSure = 0;
    for (int i = 0; i < labelling.labelled && i < incoming.count(); ++i) {
        leastSure +=
            labelling.shas.contains(incoming.shas[byConfidence[static_cast<size_t>(i)]]) ? 1 : 0;
    }

    std::printf("3. commit a dataset version, retrain on it\n");
    std::fflush(stdout);
    step.restart();
    const annotation::DatasetVersion version =
        annotation::DatasetService(workspace->db(), workspace->root())
            .commit(reviewer.principal,
                    QStringLiteral("loop_bench: %1 incoming digits labelled and approved")
                        .arg(review.approved));
    const double commitSeconds = step.elapsed() / 1000.0;
    QStringList train{QStringLiteral("train"),           QStringLiteral("--dataset"),   version.tag,
                      QStringLiteral("--json-progress"), QStringLiteral("--workspace"), folder};
    if (!epochs.isEmpty()) {
        train << QStringLiteral("--epochs") << epochs;
    }
    step.restart();
    const TrainingFigures training = trainingFiguresOf(testing::runDigitdesk(train, {}, 3600000));
    const double trainSeconds = step.elapsed() / 1000.0;
    if (training.modelId == 0) {
        std::fprintf(stderr, "loop_bench: digitdesk %s failed:\n%s\n",
                     qPrintable(train.join(QLatin1Char(' '))), qPrintable(training.failure));
        return 1;
    }
    std::printf("   %s (%d images) in %.1f s; model %lld trained in %.1f s\n",
                qPrintable(version.tag), version.imageCount, commitSeconds,
                static_cast<long long>(training.modelId), trainSeconds);

    std::printf("4. model %lld against model %lld\n", static_cast<long long>(training.modelId),
                static_cast<long long>(oldModel));
    std::fflush(stdout);
    step.restart();
    const ComparisonFigures comparison = comparisonFiguresOf(testing::runDigitdesk(
        {QStringLiteral("eval"), QStringLiteral("--model"), QString::number(training.modelId),
         QStringLiteral("--against"), QStringLiteral("production"), QStringLiteral("--dataset"),
         version.tag, QStringLiteral("--json"), QStringLiteral("--workspace"), folder}));
    const double evalSeconds = step.elapsed() / 1000.0;
    if (!comparison.failure.isEmpty()) {
        std::fprintf(stderr, "loop_bench: digitdesk eval failed:\n%s\n",
                     qPrintable(comparison.failure));
        return 1;
    }
    // The demo's model learnt from the demo-train IDX pair, not from a version, so the
    // comparison cannot say how much of the version's held-out split it saw: this says.
    const SplitShas split = versionSplit(*workspace, version.tag);
    const int heldOutLearntByOld = countIn(
        split.heldOut,
        splitShas(QDir(dataDir).filePath(QStringLiteral("demo-train-images-idx3-ubyte"))).train);
    const int labelledLearntByNew = countIn(labelling.shas, split.train);
    step.restart();
    const std::vector<models::Prediction> newAnswers =
        predictionsOf(registry, training.modelId, incoming.pixels, incoming.count());
    const double incomingSeconds = step.elapsed() / 1000.0;
    std::array<PairedAccuracy, 3> parts; // all, labelled in step 2, never labelled
    for (int i = 0; i < incoming.count(); ++i) {
        const int truth = static_cast<uchar>(incoming.labels.at(i));
        const bool oldRight = oldAnswers[static_cast<size_t>(i)].label == truth;
        const bool newRight = newAnswers[static_cast<size_t>(i)].label == truth;
        const bool labelled = labelling.shas.contains(incoming.shas[static_cast<size_t>(i)]);
        for (PairedAccuracy *p : {&parts[0], labelled ? &parts[1] : &parts[2]}) {
            ++p->count;
            p->oldRight += oldRight ? 1 : 0;
            p->newRight += newRight ? 1 : 0;
            p->onlyOldRight += oldRight && !newRight ? 1 : 0;
            p->onlyNewRight += newRight && !oldRight ? 1 : 0;
        }
    }
    std::printf("   eval --against in %.1f s; %d incoming digits through the new model in %.1f s\n",
                evalSeconds, incoming.count(), incomingSeconds);

    // ML QA signs the new model off before it may serve (four eyes: qa did not train it).
    const annotation::LoginResult qa = auth.login(
        QStringLiteral("qa"), passwords.value(QStringLiteral("qa")), QStringLiteral("loop_bench"));
    if (!qa.ok()) {
        std::fprintf(stderr, "loop_bench: qa's login failed: %s\n", qPrintable(qa.message));
        return 1;
    }
    annotation::ReleaseSignOff(workspace->db())
        .decide(qa.principal, training.modelId, true,
                QStringLiteral("loop_bench: compared with production on %1").arg(version.tag));

    std::printf("5. promote model %lld (approved by qa) while digitdesk serve takes %.0f "
                "requests/s\n",
                static_cast<long long>(training.modelId), rate);
    std::fflush(stdout);
    PromotionRequest promotion;
    promotion.workspace = folder;
    promotion.model = training.modelId;
    promotion.perSecond = rate;
    for (int i = 0; i < LoadImageCount && i < incoming.count(); ++i) {
        promotion.requests.push_back(LoadGenerator::post(
            "/v1/predict", "image/png", pngOf(incoming.pixels.mid(qsizetype{i} * 784, 784))));
    }
    promotion.probeImage = QByteArray::fromStdString(pngOf(incoming.pixels.left(784)));
    const PromotionFigures swap = promoteUnderLoad(promotion);
    double aliasMovedSeconds = -1;
    for (const storage::AliasMove &move : registry.history()) {
        if (move.alias == annotation::ProductionAlias && move.toModelId == training.modelId) {
            aliasMovedSeconds = swap.promoteStartedAt.msecsTo(move.movedAt) / 1000.0;
        }
    }

    const double minutes = total.elapsed() / 60000.0;
    std::printf("\n==== loop_bench figures (whole run %.1f min) ====\n", minutes);
    std::printf("workspace   digitdesk demo create: %.1f s (8,000 approved, 2,000 incoming, "
                "model %lld trained by the demo in-process, %s epochs: not an option)\n",
                demoSeconds, static_cast<long long>(oldModel), qPrintable(demoEpochs));
    printLabelling(labelling, review, leastSure);
    std::printf("dataset     %s: %d images (8,000 + %d), committed by the reviewer in %.2f s\n",
                qPrintable(version.tag), version.imageCount, review.approved, commitSeconds);
    printTraining(training, trainSeconds, epochs.isEmpty());
    printComparison(comparison, heldOutLearntByOld, evalSeconds);
    std::printf("  incoming digits, true MNIST labels (ModelRegistry::openPredictor):\n");
    printAccuracy("all incoming", parts[0], oldModel, training.modelId);
    const QByteArray labelledPart =
        QStringLiteral("labelled in step 2 (new trained on %1)").arg(labelledLearntByNew).toUtf8();
    printAccuracy(labelledPart.constData(), parts[1], oldModel, training.modelId);
    printAccuracy("never labelled (neither model saw)", parts[2], oldModel, training.modelId);
    printPromotion(swap, aliasMovedSeconds, rate);
    if (!temp.autoRemove()) {
        std::printf("workspace kept: %s\n", qPrintable(folder));
    }
    return swap.error.isEmpty() && swap.load.failed == 0 && swap.load.otherStatus == 0 &&
                   swap.load.rejected == 0
               ? 0
               : 1;
}
