// CapturePolicy: which answered images become incoming items for the annotation queue, and
// what is stored with each.
#include "app/serve/capturepolicy.h"
#include "models/dynamicbatcher.h"
#include "models/predictor.h"

#include <QTest>

using digitdesk::app::CaptureDecision;
using digitdesk::app::CapturePolicy;
using digitdesk::models::BatchAnswer;

Q_DECLARE_METATYPE(CaptureDecision)

namespace {

// An answer of model 12 for images whose pixels are all `i / 10` for image i.
BatchAnswer answer(const QList<float> &confidences)
{
    BatchAnswer result;
    result.model = std::make_shared<digitdesk::models::ServedModel>();
    result.model->id = 12;
    result.model->version = std::to_string(result.model->id);
    for (qsizetype i = 0; i < confidences.size(); ++i) {
        digitdesk::models::Prediction prediction;
        prediction.label = int(i);
        prediction.confidence = confidences[i];
        prediction.probabilities[size_t(i) % 10] = confidences[i];
        result.predictions.push_back(prediction);
        result.input.insert(result.input.end(), 784, float(i) / 10);
    }
    return result;
}

} // namespace

class tst_CapturePolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decide_data();
    void decide();
    void selectKeepsTheLowConfidenceImages();
    void nothingIsSelectedWhileDisabled();
};

void tst_CapturePolicy::decide_data()
{
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<float>("confidence");
    QTest::addColumn<CaptureDecision>("decision");

    QTest::newRow("under the threshold") << true << 0.6 << 0.3F << CaptureDecision::LowConfidence;
    QTest::newRow("at the threshold: confident")
        << true << 0.5 << 0.5F << CaptureDecision::Confident;
    QTest::newRow("above") << true << 0.6 << 0.99F << CaptureDecision::Confident;
    QTest::newRow("threshold 0 keeps nothing") << true << 0.0 << 0.0F << CaptureDecision::Confident;
    QTest::newRow("threshold 1 keeps all but certainty")
        << true << 1.0 << 0.999F << CaptureDecision::LowConfidence;
    QTest::newRow("disabled, however unsure") << false << 0.6 << 0.1F << CaptureDecision::Disabled;
}

void tst_CapturePolicy::decide()
{
    QFETCH(bool, enabled);
    QFETCH(double, threshold);
    QFETCH(float, confidence);
    QFETCH(CaptureDecision, decision);
    QCOMPARE(CapturePolicy(enabled, threshold).decide(confidence), decision);
}

void tst_CapturePolicy::selectKeepsTheLowConfidenceImages()
{
    const BatchAnswer result = answer({0.9F, 0.2F, 0.95F, 0.4F});
    const std::vector<QByteArray> originals = {"png0", "png1"}; // a tensor request has none
    const CapturePolicy::Selection selection = CapturePolicy(true, 0.6).select(result, originals);
    QCOMPARE(selection.decisions[size_t(CaptureDecision::Disabled)], 0);
    QCOMPARE(selection.decisions[size_t(CaptureDecision::LowConfidence)], 2);
    QCOMPARE(selection.decisions[size_t(CaptureDecision::Confident)], 2);
    QCOMPARE(selection.images.size(), size_t(2));

    const auto &first = selection.images[0];
    QCOMPARE(first.label, 1);
    QCOMPARE(first.confidence, 0.2F);
    QCOMPARE(first.modelId, qint64(12));
    QCOMPARE(first.original, QByteArray("png1"));
    QCOMPARE(first.probabilities[1], 0.2F);
    // The pixels the model saw, as 8-bit: 0.1 * 255 rounds to 26.
    QCOMPARE(first.pixels, QByteArray(784, char(26)));

    const auto &second = selection.images[1];
    QCOMPARE(second.label, 3);
    QVERIFY(second.original.isEmpty()); // no original beyond those sent
    QCOMPARE(second.pixels, QByteArray(784, char(77)));
}

void tst_CapturePolicy::nothingIsSelectedWhileDisabled()
{
    const CapturePolicy::Selection selection =
        CapturePolicy(false, 0.6).select(answer({0.1F, 0.2F, 0.99F}), {});
    QVERIFY(selection.images.empty());
    QCOMPARE(selection.decisions[size_t(CaptureDecision::Disabled)], 3);
    QCOMPARE(selection.decisions[size_t(CaptureDecision::LowConfidence)], 0);
    QCOMPARE(selection.decisions[size_t(CaptureDecision::Confident)], 0);
}

QTEST_APPLESS_MAIN(tst_CapturePolicy)
#include "tst_capturepolicy.moc"
