#include "annotation/idxfile.h"
#include "models/computedevice.h"
#include "models/evaluation.h"
#include "models/flopcount.h"
#include "models/predictor.h"
#include "models/trainer.h"
#include "tests/support/testdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>
#include <stdexcept>

using namespace digitdesk;

namespace {

models::LabelledImages demoDigits(int count)
{
    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const annotation::IdxArray labels = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    models::LabelledImages set;
    set.pixels.assign(images.data.begin(), images.data.begin() + count * 784);
    set.labels.assign(labels.data.begin(), labels.data.begin() + count);
    return set;
}

models::TrainingOptions quick(int epochs, quint64 seed)
{
    models::TrainingOptions options;
    options.epochs = epochs;
    options.seed = seed;
    options.threads = 2;
    options.device = models::DeviceRequest::Cpu;
    return options;
}

} // namespace

class tst_Training : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void learnsOnASmallFixture();
    void sameSeedSameModel();
    void cancelStopsAndSavesNothing();
    void evaluationOnAKnownTable();
    void calibrationLowersEceOfAnOverconfidentModel();
    void baselines();
    void torchScriptShapeCheck();
    void deviceRule();

private:
    QTemporaryDir m_dir;
};

void tst_Training::learnsOnASmallFixture()
{
    const models::LabelledImages set = demoDigits(1500);
    const QString file = m_dir.filePath(QStringLiteral("small.pt"));
    QList<models::TrainingProgress> epochs;
    const models::TrainingResult result =
        models::Trainer::train(set, quick(4, 1), file, [&](const models::TrainingProgress &p) {
            if (p.epochEnd) {
                epochs << p;
            }
        });
    QVERIFY(!result.cancelled);
    QCOMPARE(result.trainCount, 1200);
    QCOMPARE(result.validationCount, 300);
    QCOMPARE(epochs.size(), 4);
    QVERIFY2(epochs.last().loss < epochs.first().loss,
             qPrintable(QString::number(epochs.last().loss)));
    QVERIFY2(result.raw.accuracy > 0.80, qPrintable(QString::number(result.raw.accuracy)));
    QVERIFY(result.raw.accuracy > result.baselines.majorityAccuracy + 0.5);
    QVERIFY(result.temperature > 0.2 && result.temperature < 5);
    QVERIFY(QFile::exists(file));

    // The saved file predicts what the trainer measured (inference folds batch norm: same maths).
    auto predictor = models::Predictor::load(file, models::Architecture::DigitNet,
                                             result.temperature, models::DeviceRequest::Cpu);
    const models::LabelledImages again = demoDigits(1500);
    const std::vector<float> logits = predictor->logits(again.pixels.data(), 1500);
    QCOMPARE(logits.size(), 15000u);
    const models::Prediction first = predictor->predict(again.pixels.data(), 1).front();
    float sum = 0;
    for (float p : first.probabilities) {
        sum += p;
    }
    QVERIFY(std::abs(sum - 1.0F) < 1e-4F);
    QCOMPARE(first.confidence,
             *std::max_element(first.probabilities.begin(), first.probabilities.end()));

    // Float input is validated: a value out of 0..1 or NaN is refused, naming the image.
    std::vector<float> input(2 * 784, 0.5F);
    QCOMPARE(predictor->logitsFromFloat(input.data(), 2).size(), 20u);
    input[784 + 3] = 255.0F;
    try {
        predictor->logitsFromFloat(input.data(), 2);
        QFAIL("255 was accepted as a 0..1 value");
    } catch (const std::invalid_argument &error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("of image 1")),
                 error.what());
    }
    input[784 + 3] = std::nanf("");
    QVERIFY(testing::throws<std::invalid_argument>(
        [&] { predictor->logitsFromFloat(input.data(), 2); }));
}

void tst_Training::sameSeedSameModel()
{
    const models::LabelledImages set = demoDigits(600);
    std::vector<std::vector<float>> outputs;
    for (quint64 seed : {7ULL, 7ULL, 8ULL}) {
        const QString file =
            m_dir.filePath(QStringLiteral("seed-%1-%2.pt").arg(seed).arg(outputs.size()));
        models::TrainingOptions options = quick(1, seed);
        options.threads = 1;
        models::Trainer::train(set, options, file);
        auto predictor = models::Predictor::load(file, models::Architecture::DigitNet, 1.0,
                                                 models::DeviceRequest::Cpu);
        outputs.push_back(predictor->logits(set.pixels.data(), 50));
    }
    QVERIFY(outputs[0] == outputs[1]);
    QVERIFY(outputs[0] != outputs[2]);
}

void tst_Training::cancelStopsAndSavesNothing()
{
    const models::LabelledImages set = demoDigits(2000);
    const QString file = m_dir.filePath(QStringLiteral("cancelled.pt"));
    std::atomic<bool> cancel = false;
    int reports = 0;
    const models::TrainingResult result = models::Trainer::train(
        set, quick(20, 1), file,
        [&](const models::TrainingProgress &) {
            ++reports;
            cancel = true;
        },
        &cancel);
    QVERIFY(result.cancelled);
    QCOMPARE(reports, 1);
    QCOMPARE(result.epochsDone, 0);
    QVERIFY(!QFile::exists(file));
}

void tst_Training::evaluationOnAKnownTable()
{
    // Four images: classes 0, 0, 1, 2, predicted 0, 1, 1, 2 with confidence close to 1.
    std::vector<float> logits(40, 0.0F);
    const int predicted[] = {0, 1, 1, 2};
    for (int i = 0; i < 4; ++i) {
        logits[static_cast<size_t>(i * 10 + predicted[i])] = 20.0F;
    }
    const models::Evaluation evaluation = models::evaluate(logits, {0, 0, 1, 2});
    QCOMPARE(evaluation.count, 4);
    QCOMPARE(evaluation.accuracy, 0.75);
    QCOMPARE(evaluation.confusion[0][0], 1);
    QCOMPARE(evaluation.confusion[0][1], 1);
    QCOMPARE(evaluation.precision[1], 0.5);
    QCOMPARE(evaluation.recall[0], 0.5);
    QCOMPARE(evaluation.recall[2], 1.0);
    // All four sit in the top confidence bin: |mean confidence (~1) - accuracy (0.75)|.
    QVERIFY(std::abs(evaluation.ece - 0.25) < 1e-6);
    QVERIFY(evaluation.nll > 4.9 && evaluation.nll < 5.1); // one of four costs 20 nats
}

void tst_Training::calibrationLowersEceOfAnOverconfidentModel()
{
    // 70% right, but every answer made with logit margin 12 (confidence ~1): over-confident.
    std::mt19937 random(3);
    std::vector<float> logits;
    std::vector<uint8_t> labels;
    for (int i = 0; i < 3000; ++i) {
        const auto label = static_cast<uint8_t>(random() % 10);
        const bool right = random() % 10 < 7;
        const int answer = right ? label : (label + 1 + static_cast<int>(random() % 9)) % 10;
        for (int c = 0; c < 10; ++c) {
            logits.push_back(c == answer ? 12.0F : static_cast<float>(random() % 100) / 100.0F);
        }
        labels.push_back(label);
    }
    const models::Evaluation before = models::evaluate(logits, labels, 1.0);
    const double temperature = models::fitTemperature(logits, labels);
    const models::Evaluation after = models::evaluate(logits, labels, temperature);
    QVERIFY2(temperature > 2.0, qPrintable(QString::number(temperature)));
    QVERIFY2(before.ece > 0.25, qPrintable(QString::number(before.ece)));
    QVERIFY2(after.ece < before.ece / 4,
             qPrintable(QStringLiteral("%1 -> %2").arg(before.ece).arg(after.ece)));
    QVERIFY(after.nll < before.nll);
    QCOMPARE(after.accuracy, before.accuracy); // a temperature never changes the answer
}

void tst_Training::baselines()
{
    const models::LabelledImages set = demoDigits(3000);
    std::vector<uint8_t> trainPixels(set.pixels.begin(), set.pixels.begin() + 2000 * 784);
    std::vector<uint8_t> trainLabels(set.labels.begin(), set.labels.begin() + 2000);
    std::vector<uint8_t> testPixels(set.pixels.begin() + 2000 * 784, set.pixels.end());
    std::vector<uint8_t> testLabels(set.labels.begin() + 2000, set.labels.end());
    const models::Baselines baselines =
        models::computeBaselines(trainPixels, trainLabels, testPixels, testLabels);
    QCOMPARE(baselines.randomGuessAccuracy, 0.1);
    QVERIFY(std::abs(baselines.randomGuessNll - std::log(10.0)) < 1e-9);
    QVERIFY(baselines.majorityAccuracy > 0.05 && baselines.majorityAccuracy < 0.2);
    // Nearest class mean gets roughly 80% on MNIST.
    QVERIFY2(baselines.nearestCentroidAccuracy > 0.7 && baselines.nearestCentroidAccuracy < 0.9,
             qPrintable(QString::number(baselines.nearestCentroidAccuracy)));
}

void tst_Training::torchScriptShapeCheck()
{
    const QString peer = m_dir.filePath(QStringLiteral("peer.pt"));
    const QString five = m_dir.filePath(QStringLiteral("five.pt"));
    const QString flat = m_dir.filePath(QStringLiteral("flat.pt"));
    QVERIFY(testing::runPython(testing::peerScript(QStringLiteral("make_model.py")), {peer}));
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_wrong_model.py")),
                               {five, flat}));
    QCOMPARE(models::checkTorchScriptShape(peer), QString());
    QVERIFY2(models::checkTorchScriptShape(five).contains(QStringLiteral("not to [3, 10] logits")),
             qPrintable(models::checkTorchScriptShape(five)));
    QVERIFY2(models::checkTorchScriptShape(flat).contains(
                 QStringLiteral("does not accept float [N, 1, 28, 28]")),
             qPrintable(models::checkTorchScriptShape(flat)));
    testing::writeFile(m_dir.filePath(QStringLiteral("junk.pt")), "not a model");
    QVERIFY(models::checkTorchScriptShape(m_dir.filePath(QStringLiteral("junk.pt")))
                .contains(QStringLiteral("cannot be loaded")));

    // The peer's network serves through the same predictor as DigitDesk's own.
    auto predictor = models::Predictor::load(peer, models::Architecture::TorchScript, 1.0,
                                             models::DeviceRequest::Cpu);
    const models::LabelledImages set = demoDigits(40);
    QCOMPARE(predictor->predict(set.pixels.data(), 40).size(), 40u);
    QVERIFY(testing::throws<std::runtime_error>([&] {
        models::Predictor::load(m_dir.filePath(QStringLiteral("missing.pt")),
                                models::Architecture::DigitNet, 1.0, models::DeviceRequest::Cpu);
    }));
}

void tst_Training::deviceRule()
{
    QVERIFY(!models::chooseDevice(models::DeviceRequest::Cpu).cuda);
    models::setIntraOpThreads(2);
    QCOMPARE(models::runtimeInfo().intraOpThreads, 2);
    if (models::runtimeInfo().cudaDevices == 0) {
        QVERIFY(!models::chooseDevice(models::DeviceRequest::Auto).cuda);
        try {
            models::chooseDevice(models::DeviceRequest::Cuda);
            QFAIL("cuda was granted without a GPU");
        } catch (const std::runtime_error &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("cuda was asked for")),
                     error.what());
        }
    } else {
        QVERIFY(models::chooseDevice(models::DeviceRequest::Auto).cuda);
        QVERIFY(models::chooseDevice(models::DeviceRequest::Cuda).cuda);
    }
    models::DeviceRequest request{};
    QVERIFY(models::parseDeviceRequest(QStringLiteral("cuda"), &request));
    QVERIFY(!models::parseDeviceRequest(QStringLiteral("gpu"), &request));
}

QTEST_GUILESS_MAIN(tst_Training)
#include "tst_training.moc"
