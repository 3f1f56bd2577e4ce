// The serving endpoint on Kubernetes, as installer/kubernetes/ ships it: each manifest read with
// a YAML parser (Debian's python3-yaml) against the fields the endpoint needs, the manifests held
// to each other and to the Prometheus side (scrape job, prometheus-adapter's metric), rendered
// offline by `kubectl kustomize`, and accepted by `kubectl create --dry-run=client` where kubectl
// has a cluster to ask.
#include "annotation/servingmetricnames.h"
#include "tests/support/yamlfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace digitdesk;
using testing::jsonAt;
using testing::runTool;
using testing::ToolRun;
using testing::yamlDocuments;
namespace metric = annotation::metric;

namespace {

const QString Folder = QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/kubernetes");
const QString Name = QStringLiteral("digitdesk-serve");
const QString NameLabel = QStringLiteral("app.kubernetes.io/name");

QStringList path(const char *dotted)
{
    return QString::fromLatin1(dotted).split(QLatin1Char('.'));
}

// The first container of the Deployment's pods.
const QStringList Container = path("spec.template.spec.containers.0");

QStringList in(const QStringList &base, const char *dotted)
{
    return base + path(dotted);
}

QString environment(const QJsonObject &container, const QString &name)
{
    for (const QJsonValue variable : container.value(QStringLiteral("env")).toArray()) {
        if (variable[QStringLiteral("name")].toString() == name) {
            return variable[QStringLiteral("value")].toString();
        }
    }
    return {};
}

} // namespace

class tst_KubernetesManifests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void manifestsHaveTheirFields_data();
    void manifestsHaveTheirFields();
    void selectorsFindTheDeploymentsPods();
    void theEndpointListensWhereProbesAndServiceLook();
    void autoscalerReadsTheAdaptersMetric();
    void kustomizeRendersTheManifests();
    void kubectlDryRunAcceptsThem();

private:
    QJsonObject manifest(const QString &kind) const { return m_manifests.value(kind); }

    QString m_kubectl;
    QHash<QString, QJsonObject> m_manifests; // by kind, from the kustomization's resources
};

void tst_KubernetesManifests::initTestCase()
{
    const QJsonArray kustomization = yamlDocuments(Folder + QStringLiteral("/kustomization.yaml"));
    QVERIFY2(!kustomization.isEmpty(), "install python3-yaml (installer/deps-debian.sh does)");
    for (const QJsonValue file : kustomization[0][QStringLiteral("resources")].toArray()) {
        const QJsonArray documents = yamlDocuments(Folder + QLatin1Char('/') + file.toString());
        QVERIFY2(documents.size() == 1, qPrintable(file.toString()));
        const QJsonObject object = documents[0].toObject();
        m_manifests.insert(object.value(QStringLiteral("kind")).toString(), object);
    }
    m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
}

void tst_KubernetesManifests::manifestsHaveTheirFields_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("field");
    QTest::addColumn<QByteArray>("expected"); // JSON; "present" for any value
    const auto row = [](const char *kind, const QStringList &field, const QByteArray &expected) {
        QTest::addRow("%s %s", kind, qPrintable(field.join(QLatin1Char('.'))))
            << QString::fromLatin1(kind) << field << expected;
    };
    row("Deployment", path("apiVersion"), "\"apps/v1\"");
    // A rolling update starts the new pod and waits for it to be ready before stopping an old one.
    row("Deployment", path("spec.strategy.rollingUpdate.maxUnavailable"), "0");
    row("Deployment", in(Container, "readinessProbe.httpGet.path"), "\"/v2/health/ready\"");
    row("Deployment", in(Container, "readinessProbe.httpGet.port"), "\"http\"");
    row("Deployment", in(Container, "livenessProbe.httpGet.path"), "\"/v2/health/live\"");
    row("Deployment", in(Container, "livenessProbe.httpGet.port"), "\"http\"");
    row("Deployment", in(Container, "startupProbe.httpGet.path"), "\"/v2/health/live\"");
    row("Deployment", path("spec.template.spec.securityContext.runAsNonRoot"), "true");
    row("Deployment", path("spec.template.spec.securityContext.runAsUser"), "10001");
    row("Deployment", in(Container, "securityContext.runAsNonRoot"), "true");
    row("Deployment", in(Container, "securityContext.allowPrivilegeEscalation"), "false");
    row("Deployment", in(Container, "securityContext.readOnlyRootFilesystem"), "true");
    row("Deployment", in(Container, "securityContext.capabilities.drop"), "[\"ALL\"]");
    row("Deployment", in(Container, "resources.requests.cpu"), "present");
    row("Deployment", in(Container, "resources.requests.memory"), "present");
    row("Deployment", in(Container, "resources.limits.cpu"), "present");
    row("Deployment", in(Container, "resources.limits.memory"), "present");
    // The endpoint drains for up to 30 s after SIGTERM, which comes after preStop's 5 s.
    row("Deployment", in(Container, "lifecycle.preStop.sleep.seconds"), "5");
    row("Deployment", path("spec.template.spec.terminationGracePeriodSeconds"), "45");
    row("Service", path("apiVersion"), "\"v1\"");
    row("Service", path("spec.type"), "\"ClusterIP\"");
    row("Service", path("spec.ports.0.targetPort"), "\"http\"");
    row("HorizontalPodAutoscaler", path("apiVersion"), "\"autoscaling/v2\"");
    row("HorizontalPodAutoscaler", path("spec.scaleTargetRef.apiVersion"), "\"apps/v1\"");
    row("HorizontalPodAutoscaler", path("spec.scaleTargetRef.kind"), "\"Deployment\"");
    row("HorizontalPodAutoscaler", path("spec.minReplicas"), "2");
    row("HorizontalPodAutoscaler", path("spec.maxReplicas"), "present");
    row("HorizontalPodAutoscaler", path("spec.metrics.0.type"), "\"Pods\"");
    row("HorizontalPodAutoscaler", path("spec.metrics.0.pods.target.type"), "\"AverageValue\"");
    row("HorizontalPodAutoscaler", path("spec.metrics.0.pods.target.averageValue"), "present");
    row("PodDisruptionBudget", path("apiVersion"), "\"policy/v1\"");
    row("PodDisruptionBudget", path("spec.maxUnavailable"), "1");
    row("PersistentVolumeClaim", path("spec.accessModes"), "[\"ReadWriteMany\"]");
}

void tst_KubernetesManifests::manifestsHaveTheirFields()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, field);
    QFETCH(QByteArray, expected);
    QVERIFY2(m_manifests.contains(kind), qPrintable(kind + QStringLiteral(" is not shipped")));
    const QJsonValue value = jsonAt(manifest(kind), field);
    if (expected == "present") {
        QVERIFY2(!value.isUndefined() && !value.isNull() &&
                     !(value.isString() && value.toString().isEmpty()),
                 qPrintable(field.join(QLatin1Char('.'))));
        return;
    }
    QCOMPARE(value, QJsonDocument::fromJson("[" + expected + "]").array().at(0));
}

void tst_KubernetesManifests::selectorsFindTheDeploymentsPods()
{
    const QJsonObject deployment = manifest(QStringLiteral("Deployment"));
    QCOMPARE(jsonAt(deployment, path("metadata.name")).toString(), Name);
    const QJsonObject selector = jsonAt(deployment, path("spec.selector.matchLabels")).toObject();
    QCOMPARE(selector.value(NameLabel).toString(), Name);
    const QJsonObject podLabels =
        jsonAt(deployment, path("spec.template.metadata.labels")).toObject();
    for (auto label = selector.begin(); label != selector.end(); ++label) {
        QCOMPARE(podLabels.value(label.key()), label.value());
    }
    QCOMPARE(jsonAt(manifest(QStringLiteral("Service")), path("spec.selector")).toObject(),
             selector);
    QCOMPARE(jsonAt(manifest(QStringLiteral("PodDisruptionBudget")), path("spec.selector"))
                 .toObject()
                 .value(QStringLiteral("matchLabels"))
                 .toObject(),
             selector);
    const QJsonObject autoscaler = manifest(QStringLiteral("HorizontalPodAutoscaler"));
    QCOMPARE(jsonAt(autoscaler, path("spec.scaleTargetRef.name")).toString(), Name);
    // The replicas open the workspace the claim holds.
    QCOMPARE(
        jsonAt(deployment, path("spec.template.spec.volumes.0.persistentVolumeClaim.claimName")),
        jsonAt(manifest(QStringLiteral("PersistentVolumeClaim")), path("metadata.name")));
}

void tst_KubernetesManifests::theEndpointListensWhereProbesAndServiceLook()
{
    const QJsonObject container =
        jsonAt(manifest(QStringLiteral("Deployment")), Container).toObject();
    // The image issue 13's container image is built as, tagged with a version.
    const QString image = container.value(QStringLiteral("image")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^digitdesk-serve:\\d+\\.\\d+\\.\\d+$"))
                 .match(image)
                 .hasMatch(),
             qPrintable(image));
    const QJsonObject port = jsonAt(container, path("ports.0")).toObject();
    QCOMPARE(port.value(QStringLiteral("name")).toString(), QStringLiteral("http"));
    QStringList arguments;
    for (const QJsonValue argument : container.value(QStringLiteral("args")).toArray()) {
        arguments.append(argument.toString());
    }
    const auto option = [&](const char *name) {
        const qsizetype at = arguments.indexOf(QString::fromLatin1(name));
        return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : QString();
    };
    QCOMPARE(arguments.value(0), QStringLiteral("serve"));
    // Every pod address, not loopback, where the probes and the Service reach it.
    QCOMPARE(option("--host"), QStringLiteral("0.0.0.0"));
    QCOMPARE(option("--port"),
             QString::number(port.value(QStringLiteral("containerPort")).toInt()));
    QVERIFY(option("--port") != QStringLiteral("0"));
    // Retraining is not each replica's job.
    QCOMPARE(option("--retrain-poll-s"), QStringLiteral("0"));
    QCOMPARE(jsonAt(container, path("volumeMounts.0.mountPath")).toString(),
             environment(container, QStringLiteral("DIGITDESK_WORKSPACE")));
    // What Prometheus's Kubernetes scrape keeps: this label and this port name.
    const QString keep = QStringLiteral("%1;%2").arg(
        jsonAt(manifest(QStringLiteral("Deployment")), path("spec.template.metadata.labels"))
            .toObject()
            .value(NameLabel)
            .toString(),
        port.value(QStringLiteral("name")).toString());
    const QJsonArray scrape = yamlDocuments(
        QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/prometheus/prometheus-kubernetes.yml"));
    QCOMPARE(jsonAt(scrape, path("0.scrape_configs.0.relabel_configs.0.regex")).toString(), keep);
}

void tst_KubernetesManifests::autoscalerReadsTheAdaptersMetric()
{
    const QJsonObject adapter =
        yamlDocuments(Folder + QStringLiteral("/prometheus-adapter-config.yaml")).at(0).toObject();
    const QJsonObject rule = jsonAt(adapter, path("rules.0")).toObject();
    // The endpoint's request counter, by namespace and pod as the Kubernetes scrape labels it.
    const QString counter = metric::name(metric::RequestDuration, metric::CountSuffix);
    QVERIFY2(
        rule.value(QStringLiteral("seriesQuery")).toString().startsWith(counter + QLatin1Char('{')),
        qPrintable(rule.value(QStringLiteral("seriesQuery")).toString()));
    QCOMPARE(jsonAt(rule, path("resources.overrides.pod.resource")).toString(),
             QStringLiteral("pod"));
    QCOMPARE(jsonAt(rule, path("resources.overrides.namespace.resource")).toString(),
             QStringLiteral("namespace"));
    QVERIFY(QRegularExpression(jsonAt(rule, path("name.matches")).toString())
                .match(counter)
                .hasMatch());
    QVERIFY(
        rule.value(QStringLiteral("metricsQuery")).toString().contains(QStringLiteral("rate(")));
    QCOMPARE(jsonAt(manifest(QStringLiteral("HorizontalPodAutoscaler")),
                    path("spec.metrics.0.pods.metric.name")),
             jsonAt(rule, path("name.as")));
}

void tst_KubernetesManifests::kustomizeRendersTheManifests()
{
    if (m_kubectl.isEmpty()) {
        QSKIP("kubectl is not installed: the manifests were checked with the YAML parser only");
    }
    // Offline: kustomize reads every resource as a Kubernetes object (kind, apiVersion, name).
    const ToolRun rendered = runTool(m_kubectl, {QStringLiteral("kustomize"), Folder});
    QVERIFY2(rendered.exitCode == 0, qPrintable(rendered.said()));
    QTemporaryDir temp;
    const QString file = temp.filePath(QStringLiteral("rendered.yaml"));
    QVERIFY(testing::writeFile(file, rendered.out.toUtf8()));
    QSet<QString> kinds;
    for (const QJsonValue object : yamlDocuments(file)) {
        QCOMPARE(jsonAt(object, path("metadata.name")).toString(),
                 object[QStringLiteral("kind")].toString() ==
                         QStringLiteral("PersistentVolumeClaim")
                     ? QStringLiteral("digitdesk-workspace")
                     : Name);
        kinds.insert(object[QStringLiteral("kind")].toString());
    }
    QCOMPARE(kinds, QSet<QString>(m_manifests.keyBegin(), m_manifests.keyEnd()));
    QCOMPARE(kinds.size(), 5);
}

void tst_KubernetesManifests::kubectlDryRunAcceptsThem()
{
    if (m_kubectl.isEmpty()) {
        QSKIP("kubectl is not installed");
    }
    if (runTool(m_kubectl, {QStringLiteral("config"), QStringLiteral("current-context")})
            .exitCode != 0) {
        QSKIP("kubectl create --dry-run=client asks a cluster which kinds exist even with "
              "--validate=false (without one it fails: unable to recognize, connection refused), "
              "and no kubectl context is configured");
    }
    const ToolRun created =
        runTool(m_kubectl, {QStringLiteral("create"), QStringLiteral("--dry-run=client"),
                            QStringLiteral("--validate=false"), QStringLiteral("-k"), Folder,
                            QStringLiteral("-o"), QStringLiteral("name")});
    QVERIFY2(created.exitCode == 0, qPrintable(created.said()));
    QCOMPARE(created.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 5);
}

QTEST_GUILESS_MAIN(tst_KubernetesManifests)
#include "tst_kubernetesmanifests.moc"
