// The README's KServe v2 conformance table, row by row: each row is sent to a real
// `digitdesk serve` as the protocol's own example request (tests/fixtures/kserve_v2_examples.json,
// adapted to the model 'digits' where the row is about something else), and the answer is held
// to the protocol's example answer: the same members with the same JSON types, the values the
// row names, and for the binary extension the bytes after the JSON header.
#include "tests/support/httpclient.h"
#include "tests/support/jsonmatch.h"
#include "tests/support/kservecases.h"
#include "tests/support/kservefixture.h"
#include "tests/support/servetestsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace digitdesk;
using testing::compact;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::int64Bytes;
using testing::Loopback;
using testing::ourInput;
using testing::readmeRows;

class tst_KServeConformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void protocolRow_data();
    void protocolRow();
    void readmeTableHasARowForEachCase();
    void binaryOutputsHoldTheJsonAnswersValues();

private:
    QJsonObject example(const char *name) const
    {
        return m_examples.value(QLatin1String(name)).toObject();
    }

    testing::ServedSure7 m_served;
    std::unique_ptr<HttpClient> m_client;
    QJsonObject m_examples;
    QStringList m_rows;
};

void tst_KServeConformance::initTestCase()
{
    QFile file(QStringLiteral(DIGITDESK_SOURCE_DIR "/tests/fixtures/kserve_v2_examples.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_examples = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!m_examples.isEmpty());
    QString why;
    QVERIFY2(m_served.start(&why), qPrintable(why));
    m_client = std::make_unique<HttpClient>(Loopback, m_served.serve.port);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->request("GET", "/v2/health/ready").status, 200, 60000);
}

void tst_KServeConformance::protocolRow_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headerLength"); // Inference-Header-Content-Length to send
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("like");        // the protocol's example answer it is shaped like
    QTest::addColumn<QByteArray>("expected"); // values it holds
    QTest::addColumn<QString>("absent");      // a member it must not have
    QTest::addColumn<QString>("error");       // what its error says (a pattern)
    QTest::addColumn<QByteArray>("tail");     // a binary answer's first bytes after the JSON

    const QByteArray version = QByteArray::number(m_served.version);
    const QByteArray versioned = "/v2/models/digits/versions/" + version;
    const QByteArray infer = "/v2/models/digits/infer";
    const QByteArray seven = int64Bytes(7);
    const auto get = [](const char *name, const QByteArray &path, const char *like,
                        const QByteArray &expected = {}, int status = 200) {
        QTest::newRow(name) << QByteArray("GET") << path << QByteArray() << QByteArray() << status
                            << QString::fromLatin1(like) << expected << QString() << QString()
                            << QByteArray();
    };
    const auto post = [&](const char *name, const QByteArray &body, const char *like,
                          const QByteArray &expected, const QByteArray &tail = {},
                          const QByteArray &headerLength = {}, const QByteArray &path = {}) {
        QTest::newRow(name) << QByteArray("POST") << (path.isEmpty() ? infer : path) << body
                            << headerLength << 200 << QString::fromLatin1(like) << expected
                            << QString() << QString() << tail;
    };
    const auto refused = [&](const char *name, const QByteArray &body, const char *error,
                             const QByteArray &headerLength = {}) {
        QTest::newRow(name) << QByteArray("POST") << infer << body << headerLength << 400
                            << QStringLiteral("error_response") << QByteArray() << QString()
                            << QString::fromLatin1(error) << QByteArray();
    };
    // The protocol's example request with our input in place of its two, and its id.
    const auto request = [&](const char *name = "inference_request",
                             const QJsonObject &input = ourInput(1)) {
        QJsonObject body = example(name);
        body.insert(QStringLiteral("id"), QStringLiteral("42"));
        body.insert(QStringLiteral("inputs"), QJsonArray{input});
        body.remove(QStringLiteral("outputs"));
        return body;
    };
    const QByteArray probabilities = "{\"name\":\"probabilities\",\"shape\":[1,10]}";
    const auto withOutputs = [](QJsonObject body, const QJsonArray &outputs) {
        body.insert(QStringLiteral("outputs"), outputs);
        return compact(body);
    };
    const auto output = [](const char *name, const QJsonObject &parameters = {}) {
        QJsonObject out{{QStringLiteral("name"), QLatin1String(name)}};
        if (!parameters.isEmpty()) {
            out.insert(QStringLiteral("parameters"), parameters);
        }
        return out;
    };
    const QJsonObject binaryData{{QStringLiteral("binary_data"), true}};
    // The protocol's binary example header with our input, FP32 or UINT8, in place of its two.
    const auto binaryHeader = [&](const char *datatype, int size) {
        QJsonObject header = example("binary_request_header");
        QJsonObject input = ourInput(1);
        input.remove(QStringLiteral("data"));
        input.insert(QStringLiteral("datatype"), QLatin1String(datatype));
        input.insert(QStringLiteral("parameters"),
                     QJsonObject{{QStringLiteral("binary_data_size"), size}});
        header.insert(QStringLiteral("inputs"), QJsonArray{input});
        header.insert(QStringLiteral("outputs"), QJsonArray{output("label", binaryData)});
        return compact(header);
    };

    // Endpoints.
    get("GET /v2/health/live", "/v2/health/live", "live_server_response", "{\"live\":true}");
    get("GET /v2/health/ready", "/v2/health/ready", "ready_server_response", "{\"ready\":true}");
    get("GET /v2", "/v2", "metadata_server_response",
        "{\"name\":\"digitdesk\",\"extensions\":[\"binary_tensor_data\",\"statistics\"]}");
    const QByteArray metadata =
        "{\"name\":\"digits\",\"model_version\":\"" + version +
        "\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,28,28]}],"
        "\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[-1]},"
        "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,10]}]}";
    get("GET /v2/models/digits", "/v2/models/digits", "metadata_model_response", metadata);
    get("GET /v2/models/digits/ready", "/v2/models/digits/ready", "ready_model_response",
        "{\"name\":\"digits\",\"ready\":true}");
    get("GET /v2/models/digits/versions/{version}", versioned, "metadata_model_response", metadata);
    get("GET /v2/models/digits/versions/{version}/ready", versioned + "/ready",
        "ready_model_response", "{\"name\":\"digits\",\"ready\":true}");
    get("GET /v2/models/digits/versions/{version}, not loaded", "/v2/models/digits/versions/999999",
        "error_response", {}, 404);
    get("GET /v2/models/digits/stats", "/v2/models/digits/stats", "stats_model_response");
    get("GET /v2/models/digits/versions/{version}/stats", versioned + "/stats",
        "stats_model_response",
        "{\"model_stats\":[{\"name\":\"digits\",\"version\":\"" + version + "\"}]}");
    post("POST /v2/models/digits/infer", compact(request()), "inference_response",
         "{\"model_name\":\"digits\",\"model_version\":\"" + version + "\"}");
    post("POST /v2/models/digits/versions/{version}/infer", compact(request()),
         "inference_response", "{\"model_version\":\"" + version + "\"}", {}, {},
         versioned + "/infer");
    get("other extensions (model repository, shared memory, sequence, logging, trace)",
        "/v2/repository/index", "error_response", {}, 404);

    // The request.
    post("id", compact(request()), "inference_response", "{\"id\":\"42\"}");
    QJsonObject parameters = request("parameters_request");
    post("parameters", compact(parameters), "inference_response", {});
    // The example's first input alone, made ours one field at a time.
    QJsonObject wrong = example("inference_request");
    wrong.remove(QStringLiteral("outputs"));
    QJsonObject first = wrong.value(QStringLiteral("inputs")).toArray().at(0).toObject();
    wrong.insert(QStringLiteral("inputs"), QJsonArray{first});
    refused("inputs[].name", compact(wrong), "no input 'input0'.*'input'");
    first.insert(QStringLiteral("name"), QStringLiteral("input"));
    wrong.insert(QStringLiteral("inputs"), QJsonArray{first});
    refused("inputs[].datatype", compact(wrong), "datatype 'UINT32' is not supported");
    first.insert(QStringLiteral("datatype"), QStringLiteral("UINT8"));
    wrong.insert(QStringLiteral("inputs"), QJsonArray{first});
    refused("inputs[].shape", compact(wrong),
            "shape \\[2,2\\] is not \\[N,1,28,28\\] or \\[N,784\\]");
    QJsonObject input = ourInput(1);
    input.insert(QStringLiteral("parameters"),
                 example("parameters_request").value(QStringLiteral("parameters")));
    post("inputs[].parameters", compact(request("inference_request", input)), "inference_response",
         "{\"outputs\":[{\"data\":[7]}," + probabilities + "]}");
    const QByteArray twoSevens = "{\"outputs\":[{\"shape\":[2],\"data\":[7,7]},"
                                 "{\"shape\":[2,10]}]}";
    post("inputs[].data", compact(request("inference_request", ourInput(2, true))),
         "inference_response", twoSevens);
    post("inputs[].data, flattened", compact(request("inference_request", ourInput(2))),
         "inference_response", twoSevens);
    post("outputs, not given", compact(request()), "inference_response",
         "{\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1]},"
         "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,10]}]}");
    post("outputs[].name", withOutputs(request(), {output("probabilities")}), "inference_response",
         "{\"outputs\":[{\"name\":\"probabilities\",\"shape\":[1,10]}]}");
    refused("outputs[].name, unknown", withOutputs(request(), {output("output0")}),
            "'output0'.*outputs are label, probabilities");
    post("outputs[].parameters",
         withOutputs(request(), {output("label", {{QStringLiteral("my_custom_parameter"), 42}})}),
         "inference_response", "{\"outputs\":[{\"name\":\"label\",\"data\":[7]}]}");
    refused(
        "outputs[].parameters.classification",
        withOutputs(request(), {output("probabilities", {{QStringLiteral("classification"), 3}})}),
        "classification extension is not supported");

    // The answer.
    post("model_name, model_version, outputs[].name/shape/datatype/data", compact(request()),
         "inference_response",
         "{\"model_name\":\"digits\",\"model_version\":\"" + version +
             "\",\"outputs\":[{\"name\":\"label\",\"shape\":[1],\"datatype\":\"INT64\","
             "\"data\":[7]},{\"name\":\"probabilities\",\"shape\":[1,10],\"datatype\":\"FP32\"}]}");
    QTest::newRow("parameters (answer)")
        << QByteArray("POST") << infer << compact(request()) << QByteArray() << 200
        << QStringLiteral("inference_response") << QByteArray() << QStringLiteral("parameters")
        << QString() << QByteArray();
    refused("error", "{\"inputs\":[]}", "exactly one tensor");

    // Triton's binary tensor data extension.
    const QByteArray fp32 = binaryHeader("FP32", 3136);
    post("inputs[].parameters.binary_data_size, FP32", fp32 + testing::fp32Pixels(1, 0.5F),
         "binary_response_header",
         "{\"outputs\":[{\"name\":\"label\",\"shape\":[1],"
         "\"parameters\":{\"binary_data_size\":8}}]}",
         seven, QByteArray::number(fp32.size()));
    const QByteArray uint8 = binaryHeader("UINT8", 784);
    post("inputs[].parameters.binary_data_size, UINT8", uint8 + QByteArray(784, '\x80'),
         "binary_response_header", {}, seven, QByteArray::number(uint8.size()));
    refused("inputs[].parameters.binary_data_size, wrong size",
            binaryHeader("FP32", 3000) + testing::fp32Pixels(1, 0.5F),
            "binary_data_size is 3000 bytes; its shape of FP32 values needs 3136",
            QByteArray::number(binaryHeader("FP32", 3000).size()));
    post("outputs[].parameters.binary_data", withOutputs(request(), {output("label", binaryData)}),
         "binary_response_header", {}, seven);
    QJsonObject all = request();
    all.insert(QStringLiteral("parameters"),
               QJsonObject{{QStringLiteral("binary_data_output"), true}});
    post("parameters.binary_data_output", compact(all), "binary_response_header",
         "{\"outputs\":[{\"name\":\"label\",\"parameters\":{\"binary_data_size\":8}},"
         "{\"name\":\"probabilities\",\"parameters\":{\"binary_data_size\":40}}]}",
         seven);
    post("parameters.binary_data_output, overridden by binary_data: false",
         withOutputs(all, {output("probabilities", {{QStringLiteral("binary_data"), false}}),
                           output("label")}),
         "",
         "{\"outputs\":[" + probabilities +
             ",{\"name\":\"label\","
             "\"parameters\":{\"binary_data_size\":8}}]}",
         seven);
    post("raw binary request (Inference-Header-Content-Length: 0)", testing::fp32Pixels(1, 0.5F),
         "raw_binary_response_header", {}, seven, "0");
}

void tst_KServeConformance::protocolRow()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headerLength);
    QFETCH(int, status);
    QFETCH(QString, like);
    QFETCH(QByteArray, expected);
    QFETCH(QString, absent);
    QFETCH(QString, error);
    QFETCH(QByteArray, tail);
    m_rows.append(QString::fromUtf8(QTest::currentDataTag()));

    QList<QPair<QByteArray, QByteArray>> headers;
    if (!headerLength.isEmpty()) {
        headers.append({"Inference-Header-Content-Length", headerLength});
    }
    const QByteArray type =
        headerLength.isEmpty() ? "application/json" : "application/octet-stream";
    const HttpAnswer answer =
        m_client->request(method, path, body, method == "POST" ? type : QByteArray(), headers);
    QVERIFY2(answer.status == status, answer.body.left(600).constData());

    QJsonObject json;
    QByteArray bytes;
    const bool binary = !answer.header("Inference-Header-Content-Length").isEmpty();
    QCOMPARE(binary, !tail.isEmpty());
    if (binary) {
        QCOMPARE(answer.header("Content-Type"), QByteArray("application/octet-stream"));
        QVERIFY(testing::splitBinaryAnswer(answer, &json, &bytes));
        QCOMPARE(bytes.left(tail.size()).toHex(), tail.toHex());
        qint64 declared = 0;
        for (const QJsonValue &out : json.value(QStringLiteral("outputs")).toArray()) {
            declared += out.toObject()
                            .value(QStringLiteral("parameters"))
                            .toObject()
                            .value(QStringLiteral("binary_data_size"))
                            .toInteger();
        }
        QCOMPARE(bytes.size(), declared);
    } else {
        QVERIFY(answer.header("Content-Type").startsWith("application/json"));
        json = QJsonDocument::fromJson(answer.body).object();
        QVERIFY2(!json.isEmpty(), answer.body.left(300).constData());
    }
    QStringList errors;
    if (!like.isEmpty()) {
        testing::shapedLike(json, m_examples.value(like), QStringLiteral("$"), &errors);
    }
    if (!expected.isEmpty()) {
        testing::holdsValues(json, QJsonDocument::fromJson(expected).object(), QStringLiteral("$"),
                             &errors);
    }
    if (!absent.isEmpty() && json.contains(absent)) {
        errors.append(absent + QStringLiteral(" is in the answer"));
    }
    if (!error.isEmpty()) {
        const QRegularExpression pattern(error);
        if (!pattern.match(json.value(QStringLiteral("error")).toString()).hasMatch()) {
            errors.append(QStringLiteral("the error does not match ") + error);
        }
        if (json.size() != 1) {
            errors.append(QStringLiteral("an error answer holds more than {\"error\": ...}"));
        }
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n')) + QLatin1Char('\n') +
                                          QString::fromUtf8(answer.body.left(600))));
}

void tst_KServeConformance::readmeTableHasARowForEachCase()
{
    const QStringList readme = readmeRows();
    QVERIFY2(!readme.isEmpty(), "README.md has no <!-- kserve-conformance --> table");
    const QSet<QString> documented(readme.begin(), readme.end());
    const QSet<QString> tested(m_rows.begin(), m_rows.end());
    QCOMPARE(documented - tested, QSet<QString>());
    QCOMPARE(tested - documented, QSet<QString>());
}

void tst_KServeConformance::binaryOutputsHoldTheJsonAnswersValues()
{
    // The same request answered as JSON and as binary data: the bytes are the JSON's numbers.
    const QJsonObject request{{QStringLiteral("inputs"), QJsonArray{ourInput(3)}}};
    const HttpAnswer asJson =
        m_client->request("POST", "/v2/models/digits/infer", compact(request), "application/json");
    QCOMPARE(asJson.status, 200);
    QJsonObject withBinary = request;
    withBinary.insert(QStringLiteral("parameters"),
                      QJsonObject{{QStringLiteral("binary_data_output"), true}});
    const HttpAnswer asBinary = m_client->request("POST", "/v2/models/digits/infer",
                                                  compact(withBinary), "application/json");
    QCOMPARE(asBinary.status, 200);
    QJsonObject header;
    QByteArray tail;
    QVERIFY(testing::splitBinaryAnswer(asBinary, &header, &tail));
    const QJsonArray jsonOutputs =
        QJsonDocument::fromJson(asJson.body).object().value(QStringLiteral("outputs")).toArray();
    const QJsonArray binaryOutputs = header.value(QStringLiteral("outputs")).toArray();
    QCOMPARE(binaryOutputs.size(), 2);
    qsizetype at = 0;
    for (qsizetype o = 0; o < binaryOutputs.size(); ++o) {
        const QJsonObject ours = binaryOutputs.at(o).toObject();
        const QJsonObject theirs = jsonOutputs.at(o).toObject();
        QCOMPARE(ours.value(QStringLiteral("shape")), theirs.value(QStringLiteral("shape")));
        QVERIFY(!ours.contains(QStringLiteral("data")));
        const QJsonArray values = theirs.value(QStringLiteral("data")).toArray();
        const bool int64 = ours.value(QStringLiteral("datatype")) == QStringLiteral("INT64");
        const int width = int64 ? 8 : 4;
        QCOMPARE(ours.value(QStringLiteral("parameters"))
                     .toObject()
                     .value(QStringLiteral("binary_data_size"))
                     .toInt(),
                 values.size() * width);
        for (const QJsonValue &value : values) {
            if (int64) {
                QCOMPARE(tail.mid(at, 8), int64Bytes(value.toInteger()));
            } else {
                float number = 0;
                std::memcpy(&number, tail.constData() + at, 4);
                QCOMPARE(number, static_cast<float>(value.toDouble()));
            }
            at += width;
        }
    }
    QCOMPARE(at, tail.size());
}

QTEST_GUILESS_MAIN(tst_KServeConformance)
#include "tst_kserveconformance.moc"
