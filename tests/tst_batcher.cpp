// The dynamic batcher on its own: batches form, wait no longer than the delay, stay bounded,
// never mix models, and are all answered when the batcher stops.
#include "models/dynamicbatcher.h"
#include "tests/support/testdata.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>

using namespace digitdesk;
using models::BatchAnswer;
using models::DynamicBatcher;

namespace {

std::shared_ptr<models::ServedModel> load(const QString &file, qint64 id)
{
    auto model = std::make_shared<models::ServedModel>();
    model->instances.push_back(models::Predictor::load(file, models::Architecture::TorchScript, 1.0,
                                                       models::DeviceRequest::Cpu));
    model->instances.push_back(models::Predictor::load(file, models::Architecture::TorchScript, 1.0,
                                                       models::DeviceRequest::Cpu));
    model->id = id;
    model->version = std::to_string(id);
    return model;
}

std::vector<float> images(int count)
{
    return std::vector<float>(static_cast<size_t>(count) * models::PixelCount, 0.5F);
}

} // namespace

class tst_Batcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void concurrentRequestsShareBatches();
    void aLoneRequestWaitsAtMostTheDelay();
    void aFullQueueRefusesAtOnce();
    void modelsNeverShareABatch();
    void stopAnswersEverythingQueued();
    void twoWorkersAnswerEveryRequestOnItsModel();
    void aRequestLargerThanABatchRunsInPieces();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<models::ServedModel> m_seven;
    std::shared_ptr<models::ServedModel> m_three;
};

void tst_Batcher::initTestCase()
{
    QVERIFY(testing::runPython(testing::fixtureScript(QStringLiteral("make_served_models.py")),
                               {m_dir.path()}));
    m_seven = load(m_dir.filePath(QStringLiteral("sure7.pt")), 7);
    m_three = load(m_dir.filePath(QStringLiteral("sure3.pt")), 3);
}

void tst_Batcher::concurrentRequestsShareBatches()
{
    std::mutex mutex;
    std::vector<int> sizes;
    DynamicBatcher batcher({64, std::chrono::milliseconds(20), 1024},
                           [&](const models::ServedModel &, int batch, std::chrono::microseconds) {
                               const std::lock_guard lock(mutex);
                               sizes.push_back(batch);
                           });
    std::vector<std::promise<BatchAnswer>> answers(40);
    for (size_t i = 0; i < answers.size(); ++i) {
        QVERIFY(batcher.submit(
            m_seven, images(1 + static_cast<int>(i % 3)), 1 + static_cast<int>(i % 3),
            [&answers, i](BatchAnswer answer) { answers[i].set_value(std::move(answer)); }));
    }
    for (size_t i = 0; i < answers.size(); ++i) {
        const BatchAnswer answer = answers[i].get_future().get();
        QVERIFY(answer.error.empty());
        QCOMPARE(answer.predictions.size(), 1 + i % 3);
        QCOMPARE(answer.predictions.front().label, 7);
        QCOMPARE(answer.input.size(), (1 + i % 3) * models::PixelCount);
    }
    const std::lock_guard lock(mutex);
    int total = 0;
    for (int size : sizes) {
        QVERIFY(size <= 64);
        total += size;
    }
    QCOMPARE(total, 79); // 14 x 1 + 13 x 2 + 13 x 3
    QVERIFY2(sizes.size() < 10, "40 requests queued together ran in a few batches");
}

void tst_Batcher::aLoneRequestWaitsAtMostTheDelay()
{
    DynamicBatcher batcher({64, std::chrono::milliseconds(150), 16});
    std::promise<BatchAnswer> done;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(batcher.submit(m_seven, images(1), 1,
                           [&](BatchAnswer answer) { done.set_value(std::move(answer)); }));
    const BatchAnswer answer = done.get_future().get();
    // It waited for company (the delay), and was then answered on its own.
    QVERIFY(timer.elapsed() >= 140);
    QVERIFY(answer.queued >= std::chrono::milliseconds(140));
    QCOMPARE(answer.predictions.size(), size_t{1});
}

void tst_Batcher::aFullQueueRefusesAtOnce()
{
    DynamicBatcher batcher({64, std::chrono::seconds(2), 2});
    std::atomic<int> answered{0};
    const auto count = [&](const BatchAnswer &) {
        ++answered;
    };
    QVERIFY(batcher.submit(m_seven, images(1), 1, count));
    QVERIFY(batcher.submit(m_seven, images(1), 1, count));
    QCOMPARE(batcher.pending(), 2);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!batcher.submit(m_seven, images(1), 1, count));
    QVERIFY(timer.elapsed() < 100);
    // Images are bounded too: one request may not queue more than max-queue x max-batch.
    DynamicBatcher small({4, std::chrono::seconds(2), 2});
    QVERIFY(small.submit(m_seven, images(1), 1, count));
    QVERIFY(!small.submit(m_seven, images(8), 8, count));
    batcher.stop();
    small.stop();
    QCOMPARE(answered.load(), 3);
}

void tst_Batcher::modelsNeverShareABatch()
{
    std::mutex mutex;
    std::vector<int> sizes;
    DynamicBatcher batcher({64, std::chrono::milliseconds(50), 1024},
                           [&](const models::ServedModel &, int batch, std::chrono::microseconds) {
                               const std::lock_guard lock(mutex);
                               sizes.push_back(batch);
                           });
    // Requests alternate between two models, as they do around a swap.
    std::vector<std::promise<BatchAnswer>> answers(20);
    for (size_t i = 0; i < answers.size(); ++i) {
        QVERIFY(batcher.submit(
            i % 2 == 0 ? m_seven : m_three, images(1), 1,
            [&answers, i](BatchAnswer answer) { answers[i].set_value(std::move(answer)); }));
    }
    for (size_t i = 0; i < answers.size(); ++i) {
        const BatchAnswer answer = answers[i].get_future().get();
        QCOMPARE(answer.model.get(), (i % 2 == 0 ? m_seven : m_three).get());
        QCOMPARE(answer.predictions.front().label, i % 2 == 0 ? 7 : 3);
    }
    const std::lock_guard lock(mutex);
    QCOMPARE(sizes.size(), size_t{20}); // consecutive requests differ in model: 20 batches of 1
}

void tst_Batcher::stopAnswersEverythingQueued()
{
    std::atomic<int> answered{0};
    {
        DynamicBatcher batcher({8, std::chrono::seconds(10), 100});
        for (int i = 0; i < 30; ++i) {
            QVERIFY(batcher.submit(m_three, images(1), 1, [&](const BatchAnswer &answer) {
                if (answer.error.empty() && answer.predictions.front().label == 3) {
                    ++answered;
                }
            }));
        }
        QElapsedTimer timer;
        timer.start();
        batcher.stop(); // does not wait out the 10 s delay
        QVERIFY(timer.elapsed() < 5000);
        QVERIFY(!batcher.submit(m_three, images(1), 1, [](const BatchAnswer &) {}));
    }
    QCOMPARE(answered.load(), 30);
}

void tst_Batcher::twoWorkersAnswerEveryRequestOnItsModel()
{
    std::atomic<int> counted{0};
    DynamicBatcher batcher({4, std::chrono::milliseconds(1), 1024, 2},
                           [&](const models::ServedModel &, int batch, std::chrono::microseconds) {
                               counted += batch;
                           });
    std::vector<std::promise<BatchAnswer>> answers(200);
    for (size_t i = 0; i < answers.size(); ++i) {
        const auto &model = (i / 7) % 2 == 0 ? m_seven : m_three;
        const int count = 1 + static_cast<int>(i % 2);
        QVERIFY(batcher.submit(model, images(count), count, [&answers, i](BatchAnswer answer) {
            answers[i].set_value(std::move(answer));
        }));
    }
    for (size_t i = 0; i < answers.size(); ++i) {
        const BatchAnswer answer = answers[i].get_future().get();
        const bool seven = (i / 7) % 2 == 0;
        QCOMPARE(answer.model.get(), (seven ? m_seven : m_three).get());
        QCOMPARE(answer.predictions.size(), 1 + i % 2);
        for (const models::Prediction &prediction : answer.predictions) {
            QCOMPARE(prediction.label, seven ? 7 : 3);
        }
    }
    QCOMPARE(counted.load(), 300);
}

void tst_Batcher::aRequestLargerThanABatchRunsInPieces()
{
    std::mutex mutex;
    std::vector<int> sizes;
    DynamicBatcher batcher({64, std::chrono::milliseconds(1), 1024, 2},
                           [&](const models::ServedModel &, int batch, std::chrono::microseconds) {
                               const std::lock_guard lock(mutex);
                               sizes.push_back(batch);
                           });
    std::vector<float> input = images(150);
    input[size_t{149} * models::PixelCount] = 0.25F; // the last image comes back where it was
    std::promise<BatchAnswer> done;
    QVERIFY(batcher.submit(m_three, input, 150,
                           [&](BatchAnswer answer) { done.set_value(std::move(answer)); }));
    const BatchAnswer answer = done.get_future().get();
    QVERIFY(answer.error.empty());
    QCOMPARE(answer.predictions.size(), size_t{150});
    QCOMPARE(answer.input.size(), size_t{150} * models::PixelCount);
    QCOMPARE(answer.input[size_t{149} * models::PixelCount], 0.25F);
    for (const models::Prediction &prediction : answer.predictions) {
        QCOMPARE(prediction.label, 3);
    }
    const std::lock_guard lock(mutex);
    std::sort(sizes.begin(), sizes.end());
    QCOMPARE(sizes, (std::vector<int>{22, 64, 64}));
}

QTEST_GUILESS_MAIN(tst_Batcher)
#include "tst_batcher.moc"
