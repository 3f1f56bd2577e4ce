// The Prometheus text writer behind GET /metrics: numbers, label values and families as the
// exposition format wants them, each read back by the dashboard's parser (MetricsSnapshot) and,
// when it is installed, by `promtool check metrics` (Debian's prometheus package).
#include "annotation/metricssnapshot.h"
#include "app/serve/prometheustext.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using digitdesk::annotation::MetricsSnapshot;
namespace prometheus = digitdesk::app::prometheus;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

QByteArray bytes(const std::string &text)
{
    return QByteArray::fromStdString(text);
}

// What promtool said and its exit code, or an empty optional when it is not installed.
struct PromtoolResult
{
    bool installed = false;
    int exitCode = -1;
    QString said;
};

PromtoolResult promtoolCheck(const QByteArray &text)
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty()) {
        return {};
    }
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!check.waitForStarted()) {
        return {true, -1, check.errorString()};
    }
    check.write(text);
    check.closeWriteChannel();
    if (!check.waitForFinished(30000)) {
        return {true, -1, QStringLiteral("promtool did not finish in 30 s")};
    }
    return {true, check.exitCode(),
            QString::fromUtf8(check.readAllStandardOutput() + check.readAllStandardError())};
}

} // namespace

class tst_PrometheusText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void numbers_data();
    void numbers();
    void counts_data();
    void counts();
    void labelValues_data();
    void labelValues();
    void labelsAreJoinedWithCommas();
    void familyAndSamples();
    void helpTextIsEscaped();
    void promtoolAcceptsEveryKindOfLine();
};

void tst_PrometheusText::numbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("fixed");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("zero") << 0.0 << false << QByteArray("0");
    QTest::newRow("integer") << 42.0 << false << QByteArray("42");
    QTest::newRow("fraction") << 0.25 << false << QByteArray("0.25");
    QTest::newRow("negative") << -1.5 << false << QByteArray("-1.5");
    QTest::newRow("shortest round trip") << 0.1 + 0.2 << false << QByteArray("0.30000000000000004");
    QTest::newRow("shortest takes the exponent") << 100000.0 << false << QByteArray("1e+05");
    QTest::newRow("tiny") << 1e-300 << false << QByteArray("1e-300");
    QTest::newRow("+Inf") << Inf << false << QByteArray("+Inf");
    QTest::newRow("-Inf") << -Inf << false << QByteArray("-Inf");
    QTest::newRow("NaN") << NaN << false << QByteArray("NaN");
    QTest::newRow("fixed bound") << 0.0005 << true << QByteArray("0.0005");
    QTest::newRow("fixed, no exponent") << 1e-5 << true << QByteArray("0.00001");
    QTest::newRow("fixed integer") << 100000.0 << true << QByteArray("100000");
    QTest::newRow("fixed +Inf bound") << Inf << true << QByteArray("+Inf");
    QTest::newRow("fixed NaN") << NaN << true << QByteArray("NaN");
    QTest::newRow("fixed, too long for fixed digits") << 1e40 << true << QByteArray("1e+40");
}

void tst_PrometheusText::numbers()
{
    QFETCH(double, value);
    QFETCH(bool, fixed);
    QFETCH(QByteArray, text);
    const std::string written = prometheus::number(value, fixed ? prometheus::Notation::Fixed
                                                                : prometheus::Notation::Shortest);
    QCOMPARE(bytes(written), text);

    bool ok = false;
    const double read = MetricsSnapshot::parseValue(QString::fromStdString(written), &ok);
    QVERIFY(ok);
    if (std::isnan(value)) {
        QVERIFY(std::isnan(read));
    } else {
        QCOMPARE(read, value);
    }
}

void tst_PrometheusText::counts_data()
{
    QTest::addColumn<quint64>("value");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("zero") << quint64(0) << QByteArray("0");
    QTest::newRow("a round number stays whole") << quint64(100000) << QByteArray("100000");
    QTest::newRow("past a double's 53 bits")
        << quint64(9007199254740993) << QByteArray("9007199254740993");
    QTest::newRow("largest") << std::numeric_limits<quint64>::max()
                             << QByteArray("18446744073709551615");
}

void tst_PrometheusText::counts()
{
    QFETCH(quint64, value);
    QFETCH(QByteArray, text);
    QCOMPARE(bytes(prometheus::number(std::uint64_t(value))), text);
}

void tst_PrometheusText::labelValues_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("escaped");

    QTest::newRow("plain") << QStringLiteral("digits") << QByteArray("digits");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("double quote") << QStringLiteral("9\"x") << QByteArray("9\\\"x");
    QTest::newRow("backslash") << QStringLiteral("C:\\models") << QByteArray("C:\\\\models");
    QTest::newRow("line feed") << QStringLiteral("two\nlines") << QByteArray("two\\nlines");
    QTest::newRow("backslash then n is not a line feed")
        << QStringLiteral("a\\n") << QByteArray("a\\\\n");
    QTest::newRow("all three") << QStringLiteral("\"\\\n") << QByteArray("\\\"\\\\\\n");
    QTest::newRow("tab and braces pass as they are")
        << QStringLiteral("a\t{b},c=d") << QByteArray("a\t{b},c=d");
    QTest::newRow("UTF-8") << QStringLiteral("Zürich 東京")
                           << QStringLiteral("Zürich 東京").toUtf8();
}

void tst_PrometheusText::labelValues()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, escaped);
    const std::string raw = value.toStdString();
    QCOMPARE(bytes(prometheus::escapeLabel(raw)), escaped);
    QCOMPARE(bytes(prometheus::label("version", raw)), "version=\"" + escaped + "\"");

    // The parser reads back the value that was written, on a line of its own.
    std::string text;
    prometheus::family(text, "test_info", prometheus::Type::Gauge, "A test gauge");
    prometheus::sample(text, "test_info", prometheus::labels({{"version", raw}, {"role", "x"}}),
                       1.0);
    QCOMPARE(bytes(text).count('\n'), 3);
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(bytes(text));
    QCOMPARE(snapshot.malformedLines(), 0);
    const auto samples = snapshot.samples(QStringLiteral("test_info"));
    QCOMPARE(samples.size(), size_t(1));
    QCOMPARE(samples[0].labels.value(QStringLiteral("version")), value);
    QCOMPARE(samples[0].labels.value(QStringLiteral("role")), QStringLiteral("x"));

    const PromtoolResult promtool = promtoolCheck(bytes(text));
    if (promtool.installed) {
        QVERIFY2(promtool.exitCode == 0, qPrintable(promtool.said));
    }
}

void tst_PrometheusText::labelsAreJoinedWithCommas()
{
    QCOMPARE(bytes(prometheus::labels({})), QByteArray());
    QCOMPARE(bytes(prometheus::labels({{"model", "digits"}})), QByteArray("model=\"digits\""));
    QCOMPARE(
        bytes(prometheus::labels({{"model", "digits"}, {"version", "7"}, {"reason", "OTHER"}})),
        QByteArray("model=\"digits\",version=\"7\",reason=\"OTHER\""));
}

void tst_PrometheusText::familyAndSamples()
{
    std::string text;
    prometheus::family(text, "test_requests_total", prometheus::Type::Counter, "Requests");
    prometheus::sample(text, "test_requests_total", prometheus::label("code", "200"), 3.0);
    prometheus::sample(text, "test_requests_total", prometheus::label("code", "503"), 0.0);
    prometheus::family(text, "test_ratio", prometheus::Type::Gauge, "A share");
    prometheus::sample(text, "test_ratio", "", 0.5);
    prometheus::family(text, "test_seconds", prometheus::Type::Histogram, "Latency");
    prometheus::sample(text, "test_seconds_bucket", prometheus::label("le", "+Inf"),
                       prometheus::number(std::uint64_t(2)));
    QCOMPARE(bytes(text), QByteArray("# HELP test_requests_total Requests\n"
                                     "# TYPE test_requests_total counter\n"
                                     "test_requests_total{code=\"200\"} 3\n"
                                     "test_requests_total{code=\"503\"} 0\n"
                                     "# HELP test_ratio A share\n"
                                     "# TYPE test_ratio gauge\n"
                                     "test_ratio 0.5\n"
                                     "# HELP test_seconds Latency\n"
                                     "# TYPE test_seconds histogram\n"
                                     "test_seconds_bucket{le=\"+Inf\"} 2\n"));
    const MetricsSnapshot snapshot = MetricsSnapshot::parse(bytes(text));
    QCOMPARE(snapshot.malformedLines(), 0);
    QCOMPARE(snapshot.value(QStringLiteral("test_requests_total")), 3.0);
    QCOMPARE(snapshot.value(QStringLiteral("test_ratio")), 0.5);
    QCOMPARE(snapshot.buckets(QStringLiteral("test_seconds")).back().second, 2.0);
}

void tst_PrometheusText::helpTextIsEscaped()
{
    std::string text;
    prometheus::family(text, "test_gauge", prometheus::Type::Gauge, "a \\ and\na new line");
    QCOMPARE(bytes(text), QByteArray("# HELP test_gauge a \\\\ and\\na new line\n"
                                     "# TYPE test_gauge gauge\n"));
}

void tst_PrometheusText::promtoolAcceptsEveryKindOfLine()
{
    std::string text;
    prometheus::family(text, "test_values", prometheus::Type::Gauge,
                       "Every kind of number, C:\\ path\nand a second line");
    const double values[] = {0, -1.5, 1e-300, 100000, 0.1 + 0.2, Inf, -Inf, NaN};
    int i = 0;
    for (double value : values) {
        prometheus::sample(text, "test_values", prometheus::label("i", std::to_string(i++)), value);
    }
    prometheus::family(text, "test_seconds", prometheus::Type::Histogram, "Latency");
    for (double bound : {1e-5, 0.0005, 2.5, Inf}) {
        prometheus::sample(
            text, "test_seconds_bucket",
            prometheus::label("le", prometheus::number(bound, prometheus::Notation::Fixed)),
            prometheus::number(std::uint64_t(4)));
    }
    prometheus::sample(text, "test_seconds_sum", "", 1.25);
    prometheus::sample(text, "test_seconds_count", "", prometheus::number(std::uint64_t(4)));

    const MetricsSnapshot snapshot = MetricsSnapshot::parse(bytes(text));
    QCOMPARE(snapshot.malformedLines(), 0);
    QCOMPARE(snapshot.samples(QStringLiteral("test_values")).size(), std::size(values));
    QCOMPARE(snapshot.buckets(QStringLiteral("test_seconds")).size(), size_t(4));

    const PromtoolResult promtool = promtoolCheck(bytes(text));
    if (!promtool.installed) {
        QSKIP("promtool is not installed (Debian package prometheus): the text was checked by "
              "the dashboard's parser only");
    }
    QVERIFY2(promtool.exitCode == 0, qPrintable(promtool.said));
}

QTEST_GUILESS_MAIN(tst_PrometheusText)
#include "tst_prometheustext.moc"
