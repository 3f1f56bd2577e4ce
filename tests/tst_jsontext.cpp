// The endpoint's one JSON writer: every string it writes, control characters included, and
// every number, non-finite included, is JSON that a client's parser reads back as it was.
#include "app/serve/jsontext.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QTest>

#include <limits>
#include <string>

namespace json = digitdesk::app::json;

namespace {

QByteArray bytes(const std::string &text)
{
    return QByteArray::fromStdString(text);
}

// `value` as the one member of an object, parsed as a client would.
QJsonValue parsedMember(const std::string &value)
{
    const QByteArray document = "{\"value\":" + bytes(value) + '}';
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(document, &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("%s is not JSON: %s", document.constData(), qPrintable(error.errorString()));
        return QJsonValue::Undefined;
    }
    return parsed.object().value(QStringLiteral("value"));
}

} // namespace

class tst_JsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strings_data();
    void strings();
    void errorsAreObjects();
    void numbers_data();
    void numbers();
};

void tst_JsonText::strings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("written");

    QTest::newRow("empty") << QByteArray() << QByteArray(R"("")");
    QTest::newRow("plain") << QByteArray("model 7 is serving")
                           << QByteArray(R"("model 7 is serving")");
    QTest::newRow("quote") << QByteArray(R"(say "hi")") << QByteArray(R"("say \"hi\"")");
    QTest::newRow("backslash") << QByteArray(R"(C:\models)") << QByteArray(R"("C:\\models")");
    QTest::newRow("newline") << QByteArray("one\ntwo") << QByteArray(R"("one\ntwo")");
    QTest::newRow("carriage return") << QByteArray("one\r\ntwo") << QByteArray(R"("one\r\ntwo")");
    QTest::newRow("tab") << QByteArray("a\tb") << QByteArray(R"("a\tb")");
    QTest::newRow("backspace") << QByteArray("a\bb") << QByteArray(R"("a\bb")");
    QTest::newRow("form feed") << QByteArray("a\fb") << QByteArray(R"("a\fb")");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray(R"("a\u0000b")");
    QTest::newRow("start of heading") << QByteArray("\x01") << QByteArray(R"("\u0001")");
    QTest::newRow("escape") << QByteArray("\x1b[31m") << QByteArray(R"("\u001b[31m")");
    QTest::newRow("unit separator") << QByteArray("\x1f") << QByteArray(R"("\u001f")");
    QTest::newRow("delete is not a control character in JSON")
        << QByteArray("a\x7f") << QByteArray("\"a\x7f\"");
    QTest::newRow("utf-8 as it is") << QByteArray("Zürich ✓") << QByteArray("\"Zürich ✓\"");
    QTest::newRow("a path and a reason")
        << QByteArray("could not open \"/ws/models/3.pt\":\n\tbad magic")
        << QByteArray(R"("could not open \"/ws/models/3.pt\":\n\tbad magic")");
}

void tst_JsonText::strings()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, written);

    std::string out;
    json::appendString(out, std::string_view(text.constData(), size_t(text.size())));
    QCOMPARE(bytes(out), written);
    const QJsonValue parsed = parsedMember(out);
    QVERIFY(parsed.isString());
    QCOMPARE(parsed.toString(), QString::fromUtf8(text));
}

void tst_JsonText::errorsAreObjects()
{
    const std::string body = json::error("model 3 could not be loaded:\n\x01 bad file");
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(bytes(body), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.object().keys(), QStringList{QStringLiteral("error")});
    QCOMPARE(parsed.object().value(QStringLiteral("error")).toString(),
             QStringLiteral("model 3 could not be loaded:\n\x01 bad file"));
}

void tst_JsonText::numbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("written");
    QTest::addColumn<QJsonValue>("parsed");

    QTest::newRow("zero") << 0.0 << QByteArray("0") << QJsonValue(0.0);
    QTest::newRow("fraction") << 0.75 << QByteArray("0.75") << QJsonValue(0.75);
    QTest::newRow("negative") << -3.5 << QByteArray("-3.5") << QJsonValue(-3.5);
    QTest::newRow("large") << 1e300 << QByteArray("1e+300") << QJsonValue(1e300);
    QTest::newRow("nan is null") << std::numeric_limits<double>::quiet_NaN() << QByteArray("null")
                                 << QJsonValue(QJsonValue::Null);
    QTest::newRow("infinity is null") << std::numeric_limits<double>::infinity()
                                      << QByteArray("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("minus infinity is null") << -std::numeric_limits<double>::infinity()
                                            << QByteArray("null") << QJsonValue(QJsonValue::Null);
}

void tst_JsonText::numbers()
{
    QFETCH(double, value);
    QFETCH(QByteArray, written);
    QFETCH(QJsonValue, parsed);

    std::string out;
    json::appendNumber(out, value);
    QCOMPARE(bytes(out), written);
    QCOMPARE(parsedMember(out), parsed);
}

QTEST_APPLESS_MAIN(tst_JsonText)
#include "tst_jsontext.moc"
