// Triton's binary tensor data extension at its edges, on a real `digitdesk serve`: every size
// a client states (Inference-Header-Content-Length, binary_data_size, the shape) is checked
// against the others and against the bytes sent before anything is allocated, and each
// mismatch is a 400 that says which; the largest request allowed is answered whole.
#include "tests/support/httpclient.h"
#include "tests/support/kservefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>

using namespace digitdesk;
using testing::HttpAnswer;
using testing::HttpClient;

namespace {

const QByteArray Infer = "/v2/models/digits/infer";

// The JSON header of one input of `count` images with `parameters` and `rest` members.
QByteArray header(const QByteArray &parameters, const QByteArray &rest = {}, int count = 1,
                  const QByteArray &datatype = "FP32")
{
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + QByteArray::number(count) +
           ",784],\"datatype\":\"" + datatype + "\",\"parameters\":" + parameters + rest + "}]}";
}

QByteArray floats(int count, float value)
{
    return testing::fp32Pixels(count, value);
}

} // namespace

class tst_BinaryTensors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mismatchesAreRefused_data();
    void mismatchesAreRefused();
    void theLargestRequestIsAnsweredWhole();
    void aLengthThatCoversTheWholeBodyIsPlainJson();

private:
    testing::ServedSure7 m_served;
    std::unique_ptr<HttpClient> m_client;
};

void tst_BinaryTensors::initTestCase()
{
    QString why;
    QVERIFY2(m_served.start(&why), qPrintable(why));
    m_client = std::make_unique<HttpClient>(QStringLiteral("127.0.0.1"), m_served.serve.port);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->request("GET", "/v2/health/ready").status, 200, 60000);
}

void tst_BinaryTensors::mismatchesAreRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("bytes");       // after the JSON
    QTest::addColumn<QByteArray>("headerValue"); // Inference-Header-Content-Length; "=" the JSON's
    QTest::addColumn<QString>("error");          // a pattern

    const QByteArray fp32 = header("{\"binary_data_size\":3136}");
    const QByteArray one = floats(1, 0.5F);
    const QByteArray length = "=";
    QTest::newRow("length not a number")
        << fp32 << one << QByteArray("abc") << "'abc' is not a number of bytes";
    QTest::newRow("length negative") << fp32 << one << QByteArray("-5") << "not a number of bytes";
    QTest::newRow("length beyond 64 bits")
        << fp32 << one << QByteArray("99999999999999999999999") << "not a number of bytes";
    QTest::newRow("length past the body")
        << fp32 << one << QByteArray::number(fp32.size() + one.size() + 1)
        << "the JSON header is \\d+ bytes, but the body holds only \\d+";
    QTest::newRow("bytes no input claims")
        << header("{}", ",\"data\":[0]") << QByteArray(10, 'x') << length
        << "10 bytes follow the JSON header, but no input has parameters.binary_data_size";
    QTest::newRow("binary_data_size without the header")
        << fp32 << QByteArray() << QByteArray() << "needs the Inference-Header-Content-Length";
    QTest::newRow("data and binary_data_size")
        << header("{\"binary_data_size\":3136}", ",\"data\":[0]") << one << length
        << "both data and parameters.binary_data_size";
    QTest::newRow("binary_data_size not whole")
        << header("{\"binary_data_size\":3135.5}") << one << length << "whole number of bytes";
    QTest::newRow("binary_data_size huge")
        << header("{\"binary_data_size\":1e300}") << one << length << "whole number of bytes";
    QTest::newRow("binary_data_size negative")
        << header("{\"binary_data_size\":-3136}") << one << length << "whole number of bytes";
    QTest::newRow("binary_data_size text")
        << header("{\"binary_data_size\":\"3136\"}") << one << length
        << "binary_data_size must be a number of bytes";
    QTest::newRow("binary_data_size against the shape")
        << header("{\"binary_data_size\":784}") << one << length
        << "binary_data_size is 784 bytes; its shape of FP32 values needs 3136";
    QTest::newRow("fewer bytes than stated")
        << fp32 << one.left(3000) << length
        << "the body holds 3000 bytes after the JSON header; the input's binary_data_size says "
           "3136";
    QTest::newRow("more bytes than stated")
        << fp32 << one + "x" << length << "the body holds 3137 bytes";
    QByteArray outside = one;
    const float two = 2.0F;
    std::memcpy(outside.data() + 4 * 9, &two, 4);
    QTest::newRow("FP32 outside 0..1")
        << fp32 << outside << length << "binary value 9 of the input is outside 0..1";
    QByteArray nan = one;
    const float notANumber = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(nan.data(), &notANumber, 4);
    QTest::newRow("FP32 NaN") << fp32 << nan << length << "binary value 0 of the input is outside";
    QTest::newRow("too many images for the bytes")
        << header("{\"binary_data_size\":62720000}", {}, 20000) << one << length
        << "shape asks for 20000 images; send 1 to 10000";
    QTest::newRow("raw request of the wrong size")
        << QByteArray() << QByteArray(100, '\0') << QByteArray("0")
        << "one FP32 image of 3136 bytes; this body holds 100";
    const QByteArray outputs = ",\"outputs\":[{\"name\":\"label\",\"parameters\":"
                               "{\"binary_data\":\"yes\"}}]";
    QTest::newRow("binary_data not a boolean")
        << "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"FP32\","
           "\"parameters\":{\"binary_data_size\":3136}}]" +
               outputs + "}"
        << one << length << "an output's parameters.binary_data must be true or false";
    QTest::newRow("binary_data_output not a boolean")
        << QByteArray("{\"parameters\":{\"binary_data_output\":1},\"inputs\":[]}") << QByteArray()
        << length << "parameters.binary_data_output must be true or false";
    QTest::newRow("parameters not an object")
        << header("[]") << one << length << "the input's parameters must be an object";
    QByteArray many = ",\"outputs\":[";
    for (int i = 0; i < 17; ++i) {
        many += (i > 0 ? ",{\"name\":\"label\"}" : "{\"name\":\"label\"}");
    }
    QTest::newRow("too many outputs")
        << "{\"inputs\":[]" + many + "]}" << QByteArray() << length << "more than 16 tensors";
    QTest::newRow("an output twice")
        << QByteArray("{\"inputs\":[],\"outputs\":[{\"name\":\"label\"},{\"name\":\"label\"}]}")
        << QByteArray() << length << "outputs\\[1\\] asks for 'label' a second time";
    QTest::newRow("an output without a name")
        << QByteArray("{\"inputs\":[],\"outputs\":[{\"parameters\":{}}]}") << QByteArray() << length
        << "outputs\\[0\\] has no name; the model's outputs are label, probabilities";
}

void tst_BinaryTensors::mismatchesAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, headerValue);
    QFETCH(QString, error);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!headerValue.isEmpty()) {
        headers.append({"Inference-Header-Content-Length",
                        headerValue == "=" ? QByteArray::number(json.size()) : headerValue});
    }
    const HttpAnswer answer =
        m_client->request("POST", Infer, json + bytes, "application/octet-stream", headers);
    QCOMPARE(answer.status, 400);
    const QString message =
        QJsonDocument::fromJson(answer.body).object().value(QStringLiteral("error")).toString();
    QVERIFY2(QRegularExpression(error).match(message).hasMatch(), qPrintable(message));
    QVERIFY(answer.header("Inference-Header-Content-Length").isEmpty());
}

void tst_BinaryTensors::theLargestRequestIsAnsweredWhole()
{
    // 10,000 UINT8 images (7.84 MB), every output as binary data.
    const testing::BinaryRequest request = testing::binaryRequest(
        testing::binaryHeader(10000, "UINT8", ",\"parameters\":{\"binary_data_output\":true}"),
        QByteArray(10000 * 784, '\x40'));
    const HttpAnswer answer = m_client->request("POST", Infer, request.body,
                                                "application/octet-stream", request.headers());
    QVERIFY2(answer.status == 200, answer.body.left(300).constData());
    QJsonObject json;
    QByteArray tail;
    QVERIFY(testing::splitBinaryAnswer(answer, &json, &tail));
    QCOMPARE(tail.size(), 10000 * (8 + 40));
    for (int i = 0; i < 10000; ++i) {
        qint64 label = 0;
        std::memcpy(&label, tail.constData() + i * 8, 8);
        QCOMPARE(label, qint64{7});
    }
    const QJsonArray outputs = json.value(QStringLiteral("outputs")).toArray();
    QCOMPARE(outputs.at(1).toObject().value(QStringLiteral("shape")),
             QJsonValue(QJsonArray{10000, 10}));
}

void tst_BinaryTensors::aLengthThatCoversTheWholeBodyIsPlainJson()
{
    const QByteArray json = "{\"id\":\"j\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
                            "\"datatype\":\"UINT8\",\"data\":[" +
                            QByteArray("0,").repeated(783) + "0]}]}";
    const HttpAnswer answer =
        m_client->request("POST", Infer, json, "application/json",
                          {{"Inference-Header-Content-Length", QByteArray::number(json.size())}});
    QCOMPARE(answer.status, 200);
    QVERIFY(answer.header("Content-Type").startsWith("application/json"));
    QVERIFY(answer.header("Inference-Header-Content-Length").isEmpty());
    QCOMPARE(QJsonDocument::fromJson(answer.body).object().value(QStringLiteral("id")),
             QJsonValue(QStringLiteral("j")));
}

QTEST_GUILESS_MAIN(tst_BinaryTensors)
#include "tst_binarytensors.moc"
