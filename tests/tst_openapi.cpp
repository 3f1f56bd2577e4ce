// The endpoint's OpenAPI document, held to the answers the endpoint really gives: every route
// it describes is called on a real `digitdesk serve`, and each answer is validated against the
// response schema the document gives for its status and content type.
#include "tests/support/httpclient.h"
#include "tests/support/jsonschema.h"
#include "tests/support/kservefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace digitdesk;
using testing::HttpAnswer;
using testing::HttpClient;

namespace {

const QString Loopback = QStringLiteral("127.0.0.1");

QByteArray jsonInfer(int count)
{
    QByteArray data;
    for (int i = 0; i < count * 784; ++i) {
        data += i > 0 ? ",0.5" : "0.5";
    }
    return "{\"id\":\"o-1\",\"inputs\":[{\"name\":\"input\",\"shape\":[" +
           QByteArray::number(count) + ",784],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
}

QByteArray mediaType(const HttpAnswer &answer)
{
    return answer.header("Content-Type").split(';').first().trimmed();
}

// Every route the document must describe, as "method path-template".
const QStringList &routes()
{
    static const QStringList all = {
        QStringLiteral("get /v2/health/live"),
        QStringLiteral("get /v2/health/ready"),
        QStringLiteral("get /v2"),
        QStringLiteral("get /v2/models/digits"),
        QStringLiteral("get /v2/models/digits/ready"),
        QStringLiteral("post /v2/models/digits/infer"),
        QStringLiteral("get /v2/models/digits/stats"),
        QStringLiteral("get /v2/models/digits/versions/{version}"),
        QStringLiteral("get /v2/models/digits/versions/{version}/ready"),
        QStringLiteral("post /v2/models/digits/versions/{version}/infer"),
        QStringLiteral("get /v2/models/digits/versions/{version}/stats"),
        QStringLiteral("post /v1/predict"),
        QStringLiteral("get /metrics"),
        QStringLiteral("get /openapi.json"),
    };
    return all;
}

} // namespace

class tst_OpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void documentDescribesEveryRoute();
    void answersMatchTheDocument_data();
    void answersMatchTheDocument();
    void everyRouteIsCalled();
    void validatorRefusesWhatTheSchemaDoesNot();

private:
    testing::ServedSure7 m_served;
    std::unique_ptr<HttpClient> m_client;
    QJsonObject m_document;
    QSet<QString> m_called; // "method path-template" of the rows run
};

void tst_OpenApi::initTestCase()
{
    QString why;
    QVERIFY2(m_served.start(&why), qPrintable(why));
    m_client = std::make_unique<HttpClient>(Loopback, m_served.serve.port);
    QVERIFY(m_client->connected());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->request("GET", "/v2/health/ready").status, 200, 60000);
    const HttpAnswer answer = m_client->request("GET", "/openapi.json");
    QCOMPARE(answer.status, 200);
    QCOMPARE(mediaType(answer), QByteArray("application/json"));
    QJsonParseError error{};
    m_document = QJsonDocument::fromJson(answer.body, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
}

void tst_OpenApi::documentDescribesEveryRoute()
{
    QVERIFY(
        m_document.value(QStringLiteral("openapi")).toString().startsWith(QStringLiteral("3.")));
    QVERIFY(!m_document.value(QStringLiteral("info"))
                 .toObject()
                 .value(QStringLiteral("version"))
                 .toString()
                 .contains(QLatin1Char('@'))); // the build filled in the version
    QSet<QString> documented;
    const QJsonObject paths = m_document.value(QStringLiteral("paths")).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject item = path.value().toObject();
        for (auto method = item.begin(); method != item.end(); ++method) {
            if (method.key() != QStringLiteral("parameters")) {
                documented.insert(method.key() + QLatin1Char(' ') + path.key());
            }
        }
    }
    const QSet<QString> expected(routes().begin(), routes().end());
    QCOMPARE(documented - expected, QSet<QString>());
    QCOMPARE(expected - documented, QSet<QString>());
}

void tst_OpenApi::answersMatchTheDocument_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("route"); // the document's path template
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("headerLength"); // Inference-Header-Content-Length to send
    QTest::addColumn<int>("status");

    const QByteArray version = QByteArray::number(m_served.version);
    const QByteArray versioned = "/v2/models/digits/versions/" + version;
    const QString versionRoute = QStringLiteral("/v2/models/digits/versions/{version}");
    const QByteArray json = "application/json";
    const QByteArray png = testing::encodeRing(QStringLiteral(".png"), 64, 64, 32, 32, 20, true);
    const testing::BinaryRequest binary = testing::binaryRequest(
        testing::binaryHeader(2, "FP32", ",\"parameters\":{\"binary_data_output\":true}"),
        testing::fp32Pixels(2, 0.25F));
    const auto row = [](const char *name, const QByteArray &method, const QByteArray &path,
                        const QString &route, int status, const QByteArray &body = {},
                        const QByteArray &type = {}, const QByteArray &headerLength = {}) {
        QTest::newRow(name) << method << path << route << body << type << headerLength << status;
    };
    row("live", "GET", "/v2/health/live", QStringLiteral("/v2/health/live"), 200);
    row("server ready", "GET", "/v2/health/ready", QStringLiteral("/v2/health/ready"), 200);
    row("server metadata", "GET", "/v2", QStringLiteral("/v2"), 200);
    row("model metadata", "GET", "/v2/models/digits", QStringLiteral("/v2/models/digits"), 200);
    row("model ready", "GET", "/v2/models/digits/ready", QStringLiteral("/v2/models/digits/ready"),
        200);
    row("infer JSON", "POST", "/v2/models/digits/infer", QStringLiteral("/v2/models/digits/infer"),
        200, jsonInfer(2), json);
    row("infer binary", "POST", "/v2/models/digits/infer",
        QStringLiteral("/v2/models/digits/infer"), 200, binary.body, "application/octet-stream",
        binary.headerLength);
    row("infer refused", "POST", "/v2/models/digits/infer",
        QStringLiteral("/v2/models/digits/infer"), 400, "{\"inputs\":[]}", json);
    row("statistics", "GET", "/v2/models/digits/stats", QStringLiteral("/v2/models/digits/stats"),
        200);
    row("version metadata", "GET", versioned, versionRoute, 200);
    row("version not loaded", "GET", "/v2/models/digits/versions/999999", versionRoute, 404);
    row("version ready", "GET", versioned + "/ready", versionRoute + QStringLiteral("/ready"), 200);
    row("version infer", "POST", versioned + "/infer", versionRoute + QStringLiteral("/infer"), 200,
        jsonInfer(1), json);
    row("version statistics", "GET", versioned + "/stats", versionRoute + QStringLiteral("/stats"),
        200);
    row("predict PNG", "POST", "/v1/predict", QStringLiteral("/v1/predict"), 200, png, "image/png");
    row("predict batch", "POST", "/v1/predict", QStringLiteral("/v1/predict"), 200,
        "{\"images\":[\"" + png.toBase64() + "\",\"" + png.toBase64() + "\"]}", json);
    row("predict refused", "POST", "/v1/predict", QStringLiteral("/v1/predict"), 400,
        "{\"images\":{}}", json);
    row("metrics", "GET", "/metrics", QStringLiteral("/metrics"), 200);
    row("openapi", "GET", "/openapi.json", QStringLiteral("/openapi.json"), 200);
}

void tst_OpenApi::answersMatchTheDocument()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QString, route);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, headerLength);
    QFETCH(int, status);
    m_called.insert(QString::fromLatin1(method.toLower()) + QLatin1Char(' ') + route);

    QList<QPair<QByteArray, QByteArray>> headers;
    if (!headerLength.isEmpty()) {
        headers.append({"Inference-Header-Content-Length", headerLength});
    }
    const HttpAnswer answer = m_client->request(method, path, body, contentType, headers);
    QVERIFY2(answer.status == status, answer.body.left(500).constData());

    const testing::JsonSchemaValidator validator(m_document);
    const QJsonObject operation = m_document.value(QStringLiteral("paths"))
                                      .toObject()
                                      .value(route)
                                      .toObject()
                                      .value(QString::fromLatin1(method.toLower()))
                                      .toObject();
    QVERIFY2(!operation.isEmpty(), qPrintable(route + QStringLiteral(" is not documented")));
    const QJsonObject response = validator.follow(operation.value(QStringLiteral("responses"))
                                                      .toObject()
                                                      .value(QString::number(status))
                                                      .toObject());
    QVERIFY2(!response.isEmpty(),
             qPrintable(QStringLiteral("status %1 is not documented for ").arg(status) + route));
    const QJsonObject content = response.value(QStringLiteral("content")).toObject();
    const QString type = QString::fromLatin1(mediaType(answer));
    QVERIFY2(content.contains(type),
             qPrintable(type + QStringLiteral(" is not documented for ") + route));

    QJsonValue value;
    QString schemaType = type;
    if (type == QStringLiteral("text/plain")) {
        value = QString::fromUtf8(answer.body);
    } else {
        QByteArray text = answer.body;
        if (type == QStringLiteral("application/octet-stream")) {
            // A binary answer: its JSON header is the inference response.
            QJsonObject header;
            QByteArray tail;
            QVERIFY(testing::splitBinaryAnswer(answer, &header, &tail));
            QVERIFY(response.value(QStringLiteral("headers"))
                        .toObject()
                        .contains(QStringLiteral("Inference-Header-Content-Length")));
            text = QJsonDocument(header).toJson();
            schemaType = QStringLiteral("application/json");
        }
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(text, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        value = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    }
    const QJsonObject schema =
        content.value(schemaType).toObject().value(QStringLiteral("schema")).toObject();
    const QStringList errors = validator.validate(value, schema);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n')) + QLatin1Char('\n') +
                                          QString::fromUtf8(answer.body.left(800))));
}

void tst_OpenApi::everyRouteIsCalled()
{
    const QSet<QString> expected(routes().begin(), routes().end());
    QCOMPARE(expected - m_called, QSet<QString>());
}

void tst_OpenApi::validatorRefusesWhatTheSchemaDoesNot()
{
    // The check above would prove nothing if the validator passed everything.
    const testing::JsonSchemaValidator validator(m_document);
    const auto schema = [](const char *name) {
        return QJsonObject{{QStringLiteral("$ref"),
                            QStringLiteral("#/components/schemas/") + QLatin1String(name)}};
    };
    const auto parse = [](const char *text) {
        return QJsonValue(QJsonDocument::fromJson(text).object());
    };
    QVERIFY(validator.validate(parse("{\"live\":true}"), schema("live_server_response")).isEmpty());
    QVERIFY(
        !validator.validate(parse("{\"live\":\"yes\"}"), schema("live_server_response")).isEmpty());
    QVERIFY(!validator.validate(parse("{}"), schema("live_server_response")).isEmpty());
    QVERIFY(!validator.validate(parse("{\"live\":true,\"more\":1}"), schema("live_server_response"))
                 .isEmpty());
    QVERIFY(!validator
                 .validate(parse("{\"model_name\":\"digits\",\"model_version\":\"1\","
                                 "\"outputs\":[{\"name\":\"label\",\"shape\":[1.5],"
                                 "\"datatype\":\"INT64\",\"data\":[7]}]}"),
                           schema("inference_response"))
                 .isEmpty());
    QVERIFY(!validator
                 .validate(parse("{\"model_name\":\"digits\",\"model_version\":\"1\","
                                 "\"outputs\":[{\"name\":\"score\",\"shape\":[1],"
                                 "\"datatype\":\"INT64\",\"data\":[[7,\"x\",{}]]}]}"),
                           schema("inference_response"))
                 .isEmpty());
    QVERIFY(!validator.validate(parse("{}"), schema("no_such_schema")).isEmpty());
}

QTEST_GUILESS_MAIN(tst_OpenApi)
#include "tst_openapi.moc"
