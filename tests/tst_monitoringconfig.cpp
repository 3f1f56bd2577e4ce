// Prometheus's side of the serving endpoint's monitoring, as installer/prometheus/ ships it: the
// scrape configurations and the SLO's rules checked by promtool (Debian's prometheus package),
// the rules' unit tests run (and shown to fail when a threshold moves), and every rule held to
// the objectives and metric names in annotation/servingmetricnames.h.
#include "annotation/servingmetricnames.h"
#include "tests/support/yamlfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>

using namespace digitdesk;
using testing::jsonAt;
using testing::runTool;
using testing::ToolRun;
using testing::yamlDocuments;
namespace metric = annotation::metric;
namespace slo = annotation::slo;

namespace {

const QString Folder = QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/prometheus");
const QString RulesFile = QStringLiteral("digitdesk-slo.rules.yml");
const QString Job = QStringLiteral("digitdesk");

QJsonObject yamlFile(const QString &name)
{
    return yamlDocuments(Folder + QLatin1Char('/') + name).first().toObject();
}

// A Prometheus duration as the rules write it: 5m, 30m, 1h, 6h.
QString duration(std::chrono::minutes minutes)
{
    return minutes.count() % 60 == 0 ? QString::number(minutes.count() / 60) + QLatin1Char('h')
                                     : QString::number(minutes.count()) + QLatin1Char('m');
}

QString percent(double ratio)
{
    return QString::number(ratio * 100) + QLatin1Char('%');
}

QString errorRatio(std::chrono::minutes window)
{
    return QStringLiteral("job:digitdesk_slo_errors:ratio_rate") + duration(window);
}

// Bad requests over all inference requests, every replica of the job together.
QString errorRatioExpr(std::chrono::minutes window)
{
    const QString range = QLatin1Char('[') + duration(window) + QStringLiteral("]))");
    return QStringLiteral("sum by (job) (rate(") + metric::name(metric::SloBadTotal) + range +
           QStringLiteral(" / sum by (job) (rate(") +
           metric::name(metric::RequestDuration, metric::CountSuffix) + range;
}

QString burnExpr(double rate, std::chrono::minutes longWindow, std::chrono::minutes shortWindow)
{
    const QString threshold = QStringLiteral(" > (%1 * %2)")
                                  .arg(QString::number(rate), QString::number(slo::ErrorBudget));
    return errorRatio(longWindow) + threshold + QStringLiteral(" and ") + errorRatio(shortWindow) +
           threshold;
}

struct ExpectedRule
{
    QString name; // the record's or the alert's
    QString expr;
    QString severity;    // alerts only
    QString forDuration; // alerts only
    QStringList words;   // what the alert's summary and description must say
};

QList<ExpectedRule> expectedRules()
{
    const QString latency = QString::number(slo::LatencyObjective.count());
    const QString requestCount = metric::name(metric::RequestDuration, metric::CountSuffix);
    const QString p99 = QStringLiteral("job:digitdesk_request_duration_seconds:p99_rate5m");
    QList<ExpectedRule> rules;
    for (const auto window : {slo::PageShortWindow, slo::TicketShortWindow, slo::PageLongWindow,
                              slo::TicketLongWindow}) {
        rules.append({errorRatio(window), errorRatioExpr(window), {}, {}, {}});
    }
    rules.append({p99,
                  QStringLiteral("histogram_quantile(0.99, sum by (job, le) (rate(%1[5m])))")
                      .arg(metric::name(metric::RequestDuration, metric::BucketSuffix)),
                  {},
                  {},
                  {}});
    rules.append({QStringLiteral("job:digitdesk_inference_requests:rate5m"),
                  QStringLiteral("sum by (job) (rate(%1[5m]))").arg(requestCount),
                  {},
                  {},
                  {}});
    const auto burnWords = [&](double rate, std::chrono::minutes longWindow) {
        return QStringList{QString::number(rate), percent(slo::ErrorBudget),
                           percent(rate * slo::ErrorBudget), latency + QStringLiteral(" s"),
                           duration(longWindow) == QStringLiteral("1h")
                               ? QStringLiteral("the last hour")
                               : QStringLiteral("the last %1 hours").arg(longWindow.count() / 60)};
    };
    rules.append({QStringLiteral("DigitdeskErrorBudgetFastBurn"),
                  burnExpr(slo::PageBurnRate, slo::PageLongWindow, slo::PageShortWindow),
                  QStringLiteral("page"),
                  {},
                  burnWords(slo::PageBurnRate, slo::PageLongWindow)});
    rules.append({QStringLiteral("DigitdeskErrorBudgetSlowBurn"),
                  burnExpr(slo::TicketBurnRate, slo::TicketLongWindow, slo::TicketShortWindow),
                  QStringLiteral("ticket"),
                  {},
                  burnWords(slo::TicketBurnRate, slo::TicketLongWindow)});
    rules.append({QStringLiteral("DigitdeskLatencyP99High"), p99 + QStringLiteral(" > ") + latency,
                  QStringLiteral("ticket"), QStringLiteral("5m"),
                  QStringList{QStringLiteral("under ") + latency + QStringLiteral(" s")}});
    rules.append({QStringLiteral("DigitdeskEndpointDown"),
                  QStringLiteral("absent(up{job=\"%1\"} == 1)").arg(Job), QStringLiteral("page"),
                  QStringLiteral("2m"), QStringList{}});
    return rules;
}

// promtool's unit tests of the rules, in FOLDER/tests.
QStringList unitTests(const QString &folder)
{
    QStringList tests;
    const QDir dir(folder + QStringLiteral("/tests"));
    for (const QString &name : dir.entryList({QStringLiteral("*.yml")}, QDir::Files)) {
        tests.append(dir.filePath(name));
    }
    return tests;
}

// The rules file's rules by record or alert name.
QHash<QString, QJsonObject> rulesByName()
{
    QHash<QString, QJsonObject> rules;
    const QJsonArray groups = yamlFile(RulesFile).value(QStringLiteral("groups")).toArray();
    for (const QJsonValue group : groups) {
        for (const QJsonValue rule : group[QStringLiteral("rules")].toArray()) {
            const QJsonObject object = rule.toObject();
            const QString record = object.value(QStringLiteral("record")).toString();
            rules.insert(record.isEmpty() ? object.value(QStringLiteral("alert")).toString()
                                          : record,
                         object);
        }
    }
    return rules;
}

} // namespace

class tst_MonitoringConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void promtoolAcceptsTheConfiguration();
    void promtoolAcceptsTheKubernetesScrape();
    void rulesFireWhenTheirUnitTestsSay();
    void unitTestsCatchAMovedThreshold_data();
    void unitTestsCatchAMovedThreshold();
    void rulesHoldTheEndpointsObjectives_data();
    void rulesHoldTheEndpointsObjectives();
    void everyRuleIsHeldToTheObjectives();
    void scrapesReachTheEndpoint();

private:
    ToolRun promtool(const QStringList &arguments) const { return runTool(m_promtool, arguments); }

    QString m_promtool;
};

void tst_MonitoringConfig::initTestCase()
{
    QVERIFY2(!yamlDocuments(Folder + QLatin1Char('/') + RulesFile).isEmpty(),
             "install python3-yaml (installer/deps-debian.sh does)");
    m_promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
}

void tst_MonitoringConfig::promtoolAcceptsTheConfiguration()
{
    if (m_promtool.isEmpty()) {
        QSKIP("promtool is not installed (Debian package prometheus)");
    }
    // check config loads the rule files the configuration names, and checks them too.
    const ToolRun config = promtool({QStringLiteral("check"), QStringLiteral("config"),
                                     Folder + QStringLiteral("/prometheus.yml")});
    QVERIFY2(config.exitCode == 0, qPrintable(config.said()));
    QVERIFY2(config.said().contains(QStringLiteral("1 rule files found")),
             qPrintable(config.said()));
    const ToolRun rules = promtool(
        {QStringLiteral("check"), QStringLiteral("rules"), Folder + QLatin1Char('/') + RulesFile});
    QVERIFY2(rules.exitCode == 0, qPrintable(rules.said()));
    QVERIFY2(rules.said().contains(
                 QStringLiteral("SUCCESS: %1 rules found").arg(expectedRules().size())),
             qPrintable(rules.said()));
}

void tst_MonitoringConfig::promtoolAcceptsTheKubernetesScrape()
{
    if (m_promtool.isEmpty()) {
        QSKIP("promtool is not installed (Debian package prometheus)");
    }
    // --syntax-only: the token file and the rules live in the cluster's Prometheus.
    const QString file = Folder + QStringLiteral("/prometheus-kubernetes.yml");
    ToolRun check = promtool(
        {QStringLiteral("check"), QStringLiteral("config"), QStringLiteral("--syntax-only"), file});
    if (check.said().contains(QStringLiteral("field kubernetes_sd_configs not found"))) {
        // Debian builds Prometheus without Kubernetes discovery: check everything else, with a
        // static target where the pods would be discovered.
        QJsonObject config = yamlDocuments(file).first().toObject();
        QJsonArray jobs = config.value(QStringLiteral("scrape_configs")).toArray();
        QJsonObject job = jobs.first().toObject();
        QVERIFY(job.contains(QStringLiteral("kubernetes_sd_configs")));
        job.remove(QStringLiteral("kubernetes_sd_configs"));
        job.insert(QStringLiteral("static_configs"),
                   QJsonArray{QJsonObject{
                       {QStringLiteral("targets"), QJsonArray{QStringLiteral("pod:8080")}}}});
        jobs.replace(0, job);
        config.insert(QStringLiteral("scrape_configs"), jobs);
        QTemporaryDir temp;
        const QString copy = temp.filePath(QStringLiteral("prometheus-static.yml"));
        QVERIFY(testing::writeFile(copy, QJsonDocument(config).toJson()));
        check = promtool({QStringLiteral("check"), QStringLiteral("config"),
                          QStringLiteral("--syntax-only"), copy});
    }
    QVERIFY2(check.exitCode == 0, qPrintable(check.said()));
}

void tst_MonitoringConfig::rulesFireWhenTheirUnitTestsSay()
{
    if (m_promtool.isEmpty()) {
        QSKIP("promtool is not installed (Debian package prometheus)");
    }
    const QStringList tests = unitTests(Folder);
    QCOMPARE(tests.size(), 2);
    const ToolRun run =
        promtool(QStringList{QStringLiteral("test"), QStringLiteral("rules")} + tests);
    QVERIFY2(run.exitCode == 0, qPrintable(run.said()));
    QCOMPARE(run.said().count(QStringLiteral("SUCCESS")), tests.size());
}

void tst_MonitoringConfig::unitTestsCatchAMovedThreshold_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    // Each unit test feeds a burn just above and just below the thresholds: moving one by less
    // than the gap between them must fail a test.
    QTest::newRow("page lower") << QStringLiteral("(14.4 * 0.0001)")
                                << QStringLiteral("(14.2 * 0.0001)");
    QTest::newRow("page higher") << QStringLiteral("(14.4 * 0.0001)")
                                 << QStringLiteral("(14.6 * 0.0001)");
    QTest::newRow("ticket lower") << QStringLiteral("(6 * 0.0001)")
                                  << QStringLiteral("(5.8 * 0.0001)");
    QTest::newRow("ticket higher")
        << QStringLiteral("(6 * 0.0001)") << QStringLiteral("(6.2 * 0.0001)");
    QTest::newRow("p99 objective")
        << QStringLiteral("p99_rate5m > 2\n") << QStringLiteral("p99_rate5m > 2.1\n");
    QTest::newRow("page without the short window")
        << QStringLiteral("ratio_rate5m > (14.4") << QStringLiteral("ratio_rate1h > (14.4");
    QTest::newRow("long window shorter") << QStringLiteral("[1h]") << QStringLiteral("[50m]");
}

void tst_MonitoringConfig::unitTestsCatchAMovedThreshold()
{
    if (m_promtool.isEmpty()) {
        QSKIP("promtool is not installed (Debian package prometheus)");
    }
    QFETCH(QString, from);
    QFETCH(QString, to);
    QTemporaryDir temp;
    QFile original(Folder + QLatin1Char('/') + RulesFile);
    QVERIFY(original.open(QIODevice::ReadOnly));
    QString rules = QString::fromUtf8(original.readAll());
    QVERIFY2(rules.contains(from), qPrintable(from));
    QVERIFY(testing::writeFile(temp.filePath(RulesFile), rules.replace(from, to).toUtf8()));
    QVERIFY(QDir(temp.path()).mkdir(QStringLiteral("tests")));
    for (const QString &test : unitTests(Folder)) {
        QVERIFY(QFile::copy(test,
                            temp.filePath(QStringLiteral("tests/")) + QFileInfo(test).fileName()));
    }
    const ToolRun run = promtool(QStringList{QStringLiteral("test"), QStringLiteral("rules")} +
                                 unitTests(temp.path()));
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.said().contains(QStringLiteral("FAILED")), qPrintable(run.said()));
}

void tst_MonitoringConfig::rulesHoldTheEndpointsObjectives_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expr");
    QTest::addColumn<QString>("severity");
    QTest::addColumn<QString>("forDuration");
    QTest::addColumn<QStringList>("words");
    for (const ExpectedRule &rule : expectedRules()) {
        QTest::newRow(qPrintable(rule.name))
            << rule.name << rule.expr << rule.severity << rule.forDuration << rule.words;
    }
}

void tst_MonitoringConfig::rulesHoldTheEndpointsObjectives()
{
    QFETCH(QString, name);
    QFETCH(QString, expr);
    QFETCH(QString, severity);
    QFETCH(QString, forDuration);
    QFETCH(QStringList, words);
    const QHash<QString, QJsonObject> rules = rulesByName();
    QVERIFY2(rules.contains(name), qPrintable(name + QStringLiteral(" is not in ") + RulesFile));
    const QJsonObject rule = rules.value(name);
    QCOMPARE(rule.value(QStringLiteral("expr")).toString().simplified(), expr);
    QCOMPARE(jsonAt(rule, {QStringLiteral("labels"), QStringLiteral("severity")}).toString(),
             severity);
    QCOMPARE(rule.value(QStringLiteral("for")).toString(), forDuration);
    const QString said =
        (jsonAt(rule, {QStringLiteral("annotations"), QStringLiteral("summary")}).toString() +
         QLatin1Char(' ') +
         jsonAt(rule, {QStringLiteral("annotations"), QStringLiteral("description")}).toString())
            .simplified();
    for (const QString &word : words) {
        QVERIFY2(said.contains(word), qPrintable(word + QStringLiteral(" is not in: ") + said));
    }
}

void tst_MonitoringConfig::everyRuleIsHeldToTheObjectives()
{
    QStringList expected;
    for (const ExpectedRule &rule : expectedRules()) {
        expected.append(rule.name);
    }
    QStringList found = rulesByName().keys();
    expected.sort();
    found.sort();
    QCOMPARE(found, expected);
}

void tst_MonitoringConfig::scrapesReachTheEndpoint()
{
    // One host: the target is where installer/digitdesk-serve.service makes the endpoint listen.
    QFile unit(QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/digitdesk-serve.service"));
    QVERIFY(unit.open(QIODevice::ReadOnly));
    const QRegularExpressionMatch listen =
        QRegularExpression(QStringLiteral("ExecStart=.* serve --host (\\S+) --port (\\d+)"))
            .match(QString::fromUtf8(unit.readAll()));
    QVERIFY(listen.hasMatch());
    for (const QString &file :
         {QStringLiteral("prometheus.yml"), QStringLiteral("prometheus-kubernetes.yml")}) {
        const QJsonObject config = yamlFile(file);
        QVERIFY2(config.value(QStringLiteral("rule_files")).toArray().contains(RulesFile),
                 qPrintable(file));
        const QJsonObject job =
            jsonAt(config, {QStringLiteral("scrape_configs"), QStringLiteral("0")}).toObject();
        // The rules sum the replicas of job "digitdesk", and DigitdeskEndpointDown reads its up.
        QCOMPARE(job.value(QStringLiteral("job_name")).toString(), Job);
        QCOMPARE(job.value(QStringLiteral("metrics_path")).toString(), QStringLiteral("/metrics"));
        const QString interval =
            jsonAt(config, {QStringLiteral("global"), QStringLiteral("scrape_interval")})
                .toString();
        QCOMPARE(interval, QStringLiteral("15s"));
    }
    const QJsonObject local = yamlFile(QStringLiteral("prometheus.yml"));
    QCOMPARE(jsonAt(local, {QStringLiteral("scrape_configs"), QStringLiteral("0"),
                            QStringLiteral("static_configs"), QStringLiteral("0"),
                            QStringLiteral("targets")}),
             QJsonValue(QJsonArray{listen.captured(1) + QLatin1Char(':') + listen.captured(2)}));

    // In the cluster: pods of the Deployment, on its port named http, with the bearer token
    // (off loopback /metrics asks for it), labelled with namespace and pod for the adapter.
    const QJsonObject cluster = jsonAt(yamlFile(QStringLiteral("prometheus-kubernetes.yml")),
                                       {QStringLiteral("scrape_configs"), QStringLiteral("0")})
                                    .toObject();
    QVERIFY(!jsonAt(cluster, {QStringLiteral("authorization"), QStringLiteral("credentials_file")})
                 .toString()
                 .isEmpty());
    QCOMPARE(jsonAt(cluster, {QStringLiteral("kubernetes_sd_configs"), QStringLiteral("0"),
                              QStringLiteral("role")})
                 .toString(),
             QStringLiteral("pod"));
    QStringList targetLabels;
    QString kept;
    for (const QJsonValue relabel : cluster.value(QStringLiteral("relabel_configs")).toArray()) {
        if (relabel[QStringLiteral("action")].toString() == QStringLiteral("keep")) {
            kept = relabel[QStringLiteral("regex")].toString();
        }
        targetLabels.append(relabel[QStringLiteral("target_label")].toString());
    }
    QCOMPARE(kept, QStringLiteral("digitdesk-serve;http"));
    QVERIFY(targetLabels.contains(QStringLiteral("namespace")));
    QVERIFY(targetLabels.contains(QStringLiteral("pod")));
}

QTEST_GUILESS_MAIN(tst_MonitoringConfig)
#include "tst_monitoringconfig.moc"
