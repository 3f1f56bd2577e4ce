// The /v1/predict serialiser: the JSON a client reads for one image and for a batch, and a
// model's non-finite output recognised before it is sent.
#include "app/serve/predictanswer.h"
#include "models/dynamicbatcher.h"
#include "models/predictor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

using digitdesk::app::predictAnswer;
using digitdesk::models::BatchAnswer;
using digitdesk::models::Prediction;

namespace {

Prediction prediction(int label, float confidence, float oodScore)
{
    Prediction result;
    result.label = label;
    result.confidence = confidence;
    result.probabilities[size_t(label)] = confidence;
    result.probabilities[size_t(label + 1) % 10] = 1 - confidence;
    result.oodScore = oodScore;
    return result;
}

BatchAnswer answer(std::vector<Prediction> predictions, std::optional<float> oodThreshold = {})
{
    BatchAnswer result;
    result.model = std::make_shared<digitdesk::models::ServedModel>();
    result.model->id = 5;
    result.model->version = std::to_string(result.model->id);
    result.model->oodThreshold = oodThreshold;
    result.predictions = std::move(predictions);
    return result;
}

} // namespace

class tst_PredictAnswer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneImage();
    void aBatch();
    void outOfDistributionOnlyWithAThreshold();
    void nonFiniteScoreIsNull();
    void allFinite_data();
    void allFinite();
};

void tst_PredictAnswer::oneImage()
{
    QCOMPARE(QByteArray::fromStdString(predictAnswer(answer({prediction(7, 0.75F, -3.5F)}), false)),
             QByteArray("{\"label\":7,\"confidence\":0.75,\"probabilities\":[0,0,0,0,0,0,0,0.75,"
                        "0.25,0],\"ood_score\":-3.5,\"model_version\":\"5\"}"));
}

void tst_PredictAnswer::aBatch()
{
    const std::string text = predictAnswer(
        answer({prediction(1, 0.5F, 0), prediction(2, 0.25F, 1), prediction(9, 1, 2)}), true);
    QJsonParseError error;
    const QJsonObject object =
        QJsonDocument::fromJson(QByteArray::fromStdString(text), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(object.value(QStringLiteral("model_version")).toString(), QStringLiteral("5"));
    const QJsonArray predictions = object.value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), 3);
    QCOMPARE(predictions.at(1).toObject().value(QStringLiteral("label")).toInt(), 2);
    QCOMPARE(predictions.at(1).toObject().value(QStringLiteral("confidence")).toDouble(), 0.25);
    QCOMPARE(predictions.at(2).toObject().value(QStringLiteral("probabilities")).toArray().at(9),
             QJsonValue(1));
}

void tst_PredictAnswer::outOfDistributionOnlyWithAThreshold()
{
    const auto flagged = [](float score) {
        const QJsonObject object =
            QJsonDocument::fromJson(QByteArray::fromStdString(predictAnswer(
                                        answer({prediction(3, 0.9F, score)}, 2.0F), false)))
                .object();
        return object.value(QStringLiteral("out_of_distribution"));
    };
    QCOMPARE(flagged(2.5F), QJsonValue(true));
    QCOMPARE(flagged(2.0F), QJsonValue(false)); // at the threshold: in distribution
    const std::string without = predictAnswer(answer({prediction(3, 0.9F, 2.5F)}), false);
    QVERIFY(without.find("out_of_distribution") == std::string::npos);
}

void tst_PredictAnswer::nonFiniteScoreIsNull()
{
    const std::string text =
        predictAnswer(answer({prediction(4, 0.5F, std::numeric_limits<float>::infinity())}), false);
    QVERIFY2(text.find("\"ood_score\":null") != std::string::npos, text.c_str());
    QJsonParseError error;
    QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void tst_PredictAnswer::allFinite_data()
{
    QTest::addColumn<float>("confidence");
    QTest::addColumn<float>("probability");
    QTest::addColumn<bool>("finite");

    QTest::newRow("ordinary") << 0.5F << 0.5F << true;
    QTest::newRow("NaN confidence") << std::numeric_limits<float>::quiet_NaN() << 0.5F << false;
    QTest::newRow("infinite probability")
        << 0.5F << std::numeric_limits<float>::infinity() << false;
}

void tst_PredictAnswer::allFinite()
{
    QFETCH(float, confidence);
    QFETCH(float, probability);
    QFETCH(bool, finite);
    Prediction odd = prediction(0, confidence, 0);
    odd.probabilities[5] = probability;
    QCOMPARE(digitdesk::app::allFinite({prediction(1, 0.9F, 0), odd}), finite);
}

QTEST_APPLESS_MAIN(tst_PredictAnswer)
#include "tst_predictanswer.moc"
