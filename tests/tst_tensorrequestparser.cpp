// TensorRequestParser: the KServe v2 request fields the endpoint reads straight from the JSON
// text, one row per request a client may send, well formed or not.
#include "app/serve/tensorrequestparser.h"

#include <QFile>
#include <QTest>

#include <string>

using digitdesk::app::TensorRequestFields;
using digitdesk::app::TensorRequestParser;

namespace {

constexpr std::size_t MaxValues = 1000;

QByteArray withInput(const QByteArray &input)
{
    return "{\"inputs\":[" + input + "]}";
}

QList<double> listOf(const std::vector<double> &values)
{
    return QList<double>(values.begin(), values.end());
}

} // namespace

class tst_TensorRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validRequests_data();
    void validRequests();
    void invalidRequests_data();
    void invalidRequests();
    void fuzzSeedsParse_data();
    void fuzzSeedsParse();
};

void tst_TensorRequestParser::validRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("inputCount");
    QTest::addColumn<QString>("datatype");
    QTest::addColumn<QList<double>>("shape");
    QTest::addColumn<QList<double>>("data");
    QTest::addColumn<double>("binaryDataSize");
    QTest::addColumn<int>("outputs");

    const QList<double> none;
    QTest::newRow("uint8 flat") << withInput("{\"name\":\"input\",\"shape\":[1,3],"
                                             "\"datatype\":\"UINT8\",\"data\":[0,128,255]}")
                                << QString() << 1 << "UINT8" << QList<double>{1, 3}
                                << QList<double>{0, 128, 255} << 0.0 << 0;
    QTest::newRow("fp32 nested is flattened in order")
        << withInput("{\"name\":\"input\",\"shape\":[1,2,2],\"datatype\":\"FP32\","
                     "\"data\":[[0.5,1e-3],[-0,2.5E1]]}")
        << QString() << 1 << "FP32" << QList<double>{1, 2, 2} << QList<double>{0.5, 0.001, 0, 25}
        << 0.0 << 0;
    QTest::newRow("id and unknown fields are kept and skipped")
        << QByteArray("{\"id\":\"abc-42\",\"extra\":{\"a\":[1,{\"b\":null}]},\"inputs\":["
                      "{\"name\":\"input\",\"shape\":[1],\"datatype\":\"UINT8\",\"data\":[7],"
                      "\"note\":\"x\"}]}")
        << "abc-42" << 1 << "UINT8" << QList<double>{1} << QList<double>{7} << 0.0 << 0;
    QTest::newRow("escaped id") << QByteArray("{\"id\":\"a\\\"b\\u00e9\",\"inputs\":[]}")
                                << QString::fromUtf8("a\"b\u00e9") << 0 << "" << none << none << 0.0
                                << 0;
    QTest::newRow("binary data size")
        << withInput("{\"name\":\"input\",\"shape\":[2,784],\"datatype\":\"UINT8\","
                     "\"parameters\":{\"binary_data_size\":1568}}")
        << QString() << 1 << "UINT8" << QList<double>{2, 784} << none << 1568.0 << 0;
    QTest::newRow("outputs named")
        << QByteArray("{\"inputs\":[],\"outputs\":[{\"name\":\"label\"},{\"name\":"
                      "\"probabilities\",\"parameters\":{\"binary_data\":true}}]}")
        << QString() << 0 << "" << none << none << 0.0 << 2;
    QTest::newRow("a second input is counted, not read")
        << QByteArray("{\"inputs\":[{\"datatype\":\"UINT8\",\"data\":[1]},{\"datatype\":"
                      "\"FP32\",\"data\":[2]}]}")
        << QString() << 2 << "UINT8" << none << QList<double>{1} << 0.0 << 0;
    QTest::newRow("white space everywhere")
        << QByteArray(" \n{ \"inputs\" : [ { \"data\" : [ 1 , 2 ] } ] }\t\r\n") << QString() << 1
        << "" << none << QList<double>{1, 2} << 0.0 << 0;
    QTest::newRow("exactly the most values")
        << withInput("{\"data\":[" + QByteArray("0,").repeated(int(MaxValues) - 1) + "0]}")
        << QString() << 1 << "" << none << QList<double>(qsizetype(MaxValues), 0.0) << 0.0 << 0;
}

void tst_TensorRequestParser::validRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, id);
    QFETCH(int, inputCount);
    QFETCH(QString, datatype);
    QFETCH(QList<double>, shape);
    QFETCH(QList<double>, data);
    QFETCH(double, binaryDataSize);
    QFETCH(int, outputs);

    TensorRequestFields fields;
    std::string error;
    QVERIFY2(TensorRequestParser::parse(body.toStdString(), MaxValues, &fields, &error),
             error.c_str());
    QCOMPARE(fields.hasId, !id.isEmpty());
    QCOMPARE(QString::fromStdString(fields.id), id);
    QCOMPARE(fields.inputCount, inputCount);
    QCOMPARE(QString::fromStdString(fields.datatype), datatype);
    QCOMPARE(listOf(fields.shape), shape);
    QCOMPARE(listOf(fields.data), data);
    QCOMPARE(fields.binaryData, binaryDataSize > 0);
    QCOMPARE(fields.binaryDataSize, binaryDataSize);
    QCOMPARE(int(fields.outputs.size()), outputs);
}

void tst_TensorRequestParser::invalidRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QByteArray() << "the JSON body must be an object (at byte 0)";
    QTest::newRow("a list") << QByteArray("[1,2]") << "the JSON body must be an object";
    QTest::newRow("text after the object") << QByteArray("{} x") << "text after the object";
    QTest::newRow("unterminated object") << QByteArray("{\"inputs\":[]") << "malformed JSON";
    QTest::newRow("unterminated string") << QByteArray("{\"id\":\"abc") << "unterminated string";
    QTest::newRow("control character")
        << QByteArray("{\"id\":\"a\tb\"}") << "a control character in a string";
    QTest::newRow("unknown escape") << QByteArray("{\"id\":\"\\q\"}") << "an unknown escape";
    QTest::newRow("lone surrogate") << QByteArray("{\"id\":\"\\ud800\"}") << "a lone surrogate";
    QTest::newRow("id not a string") << QByteArray("{\"id\":42}") << "id must be a string";
    QTest::newRow("inputs not a list")
        << QByteArray("{\"inputs\":{}}") << "inputs must be a list of exactly one tensor";
    QTest::newRow("input not an object")
        << QByteArray("{\"inputs\":[1]}") << "each input must be an object";
    QTest::newRow("name not a string")
        << withInput("{\"name\":1}") << "the input's name must be a string";
    QTest::newRow("datatype not a string")
        << withInput("{\"datatype\":[]}") << "datatype must be a string";
    QTest::newRow("shape not a list")
        << withInput("{\"shape\":3}") << "shape must be a list of non-negative integers";
    QTest::newRow("shape of strings")
        << withInput("{\"shape\":[\"1\"]}") << "shape must be a list of non-negative integers";
    QTest::newRow("shape too deep")
        << withInput("{\"shape\":[1,1,1,1,1,1,1,1,1]}") << "shape has too many dimensions";
    QTest::newRow("data not a list")
        << withInput("{\"data\":\"AAAA\"}") << "the input's data must be a list";
    QTest::newRow("data with a string")
        << withInput("{\"data\":[1,\"2\"]}") << "data[1] is not a number";
    QTest::newRow("NaN is not JSON") << withInput("{\"data\":[NaN]}") << "data[0] is not a number";
    QTest::newRow("number out of range")
        << withInput("{\"data\":[1e999]}") << "a number out of range";
    QTest::newRow("a number ends after its dot")
        << withInput("{\"data\":[1.]}") << "a number ends after its '.'";
    QTest::newRow("exponent without digits")
        << withInput("{\"data\":[1e]}") << "a number's exponent has no digits";
    QTest::newRow("more values than allowed")
        << withInput("{\"data\":[" + QByteArray("0,").repeated(int(MaxValues)) + "0]}")
        << "data holds more values than the shape says (1000)";
    QTest::newRow("binary size not a number")
        << withInput("{\"parameters\":{\"binary_data_size\":\"big\"}}")
        << "parameters.binary_data_size must be a number of bytes";
    QTest::newRow("parameters not an object")
        << withInput("{\"parameters\":[]}") << "the input's parameters must be an object";
    QTest::newRow("output without an object")
        << QByteArray("{\"outputs\":[\"label\"]}") << "each output must be an object with a name";
    QTest::newRow("classification extension")
        << QByteArray("{\"outputs\":[{\"name\":\"label\",\"parameters\":{\"classification\":3}}]}")
        << "the classification extension is not supported";
    QTest::newRow("binary_data not a boolean")
        << QByteArray("{\"outputs\":[{\"name\":\"label\",\"parameters\":{\"binary_data\":1}}]}")
        << "must be true or false";
    QTest::newRow("too many outputs")
        << QByteArray("{\"outputs\":[" + QByteArray("{},").repeated(16) + "{}]}")
        << "outputs names more than 16 tensors";
}

void tst_TensorRequestParser::invalidRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);

    TensorRequestFields fields;
    std::string why;
    QVERIFY(!TensorRequestParser::parse(body.toStdString(), MaxValues, &fields, &why));
    const QString message = QString::fromStdString(why);
    QVERIFY2(message.contains(error), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("(at byte ")), qPrintable(message));
}

void tst_TensorRequestParser::fuzzSeedsParse_data()
{
    QTest::addColumn<QString>("path");
    const QString folder =
        QStringLiteral(DIGITDESK_SOURCE_DIR) + QStringLiteral("/tests/fuzz/corpus/tensorrequest/");
    for (const char *seed : {"json-uint8", "json-fp32-nested"}) {
        QTest::newRow(seed) << folder + QLatin1String(seed);
    }
}

void tst_TensorRequestParser::fuzzSeedsParse()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    QByteArray body = file.readAll();
    // The fuzz target's seeds start with two bytes (a binary header's length); the JSON follows.
    const qsizetype brace = body.indexOf('{');
    QVERIFY(brace >= 0);
    body = body.mid(brace);
    TensorRequestFields fields;
    std::string error;
    QVERIFY2(TensorRequestParser::parse(body.toStdString(), 784 * 1024, &fields, &error),
             error.c_str());
    QCOMPARE(fields.inputCount, 1);
    QVERIFY(!fields.data.empty());
}

QTEST_APPLESS_MAIN(tst_TensorRequestParser)
#include "tst_tensorrequestparser.moc"
