// The serving endpoint's container image, built as `make image` builds it
// (installer/container/build-image.sh, reusing its cache of the Debian root filesystem), held to
// the Deployment in installer/kubernetes/ that names it. Where podman can run a container here,
// the image serves /v2/health/live to the host from a workspace volume, read-only as the
// Deployment runs it, and its HEALTHCHECK passes; elsewhere the image is unpacked with skopeo and
// umoci and its endpoint runs in a chroot as user 10001. DIGITDESK_TEST_IMAGE_UNPACK=1 takes the
// second way where the first would run.
#include "tests/support/httpclient.h"
#include "tests/support/imagerunner.h"
#include "tests/support/yamlfile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <memory>

using namespace digitdesk;
using testing::HttpClient;
using testing::ImageRunner;
using testing::jsonAt;
using testing::ToolRun;
using testing::yamlDocuments;

namespace {

const QString Script = QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/container/build-image.sh");
const QString Deployment =
    QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/kubernetes/deployment.yaml");
const QString WorkspaceInside = QStringLiteral("/var/lib/digitdesk/workspace");
const QByteArray Token = "container-image-test-token";
constexpr uint User = 10001;
// A cold build downloads and installs about 270 Debian packages.
constexpr int BuildMs = 30 * 60 * 1000;

// `program` with `input` on its stdin, and no workspace or database from the environment.
ToolRun run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
            int timeoutMs = 120000)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    environment.remove(QStringLiteral("DIGITDESK_DATABASE"));
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1,
                {},
                QStringLiteral("%1 %2 did not finish in %3 ms")
                    .arg(program, arguments.join(QLatin1Char(' ')))
                    .arg(timeoutMs)};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString said(const ToolRun &ran)
{
    return QStringLiteral("exit %1: %2").arg(ran.exitCode).arg(ran.said().right(3000));
}

int liveStatus(int port)
{
    HttpClient client(QStringLiteral("127.0.0.1"), port);
    return client.connected() ? client.request("GET", "/v2/health/live").status : 0;
}

QStringList strings(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue value : array.toArray()) {
        list << value.toString();
    }
    return list;
}

} // namespace

class tst_ContainerImage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void configIsWhatTheDeploymentExpects();
    void layersAreDebianThenTheBuild();
    void binaryRunsInside();
    void filesAreOwnedAsExpected();
    void everyLibraryResolvesInside();
    void endpointAnswersItsHealthCheck();
    void cleanupTestCase();

private:
    // `command` in the image as its user: a podman container, or a chroot of the unpacked image.
    ToolRun inside(const QStringList &command) const { return m_runner->inside(command); }
    QStringList podman(const QStringList &arguments) const { return m_runner->podman(arguments); }
    void answerInPodman();
    void answerInChroot();
    QString makeWorkspace();

    QTemporaryDir m_dir;
    QString m_archive;
    QString m_version;
    QString m_tag;
    QJsonObject m_config;    // the image's config, docker format
    QJsonObject m_container; // the Deployment's container
    std::unique_ptr<ImageRunner> m_runner;
};

void tst_ContainerImage::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const ToolRun version = run(QStringLiteral(DIGITDESK_BINARY), {QStringLiteral("--version")});
    m_version = version.out.section(QLatin1Char('\n'), 0, 0).section(QLatin1Char(' '), 1);
    QVERIFY2(!m_version.isEmpty(), qPrintable(said(version)));
    m_tag = QStringLiteral("digitdesk-serve:") + m_version;

    // A machine where installer/deps-debian.sh ran has every tool: a build that fails there is
    // a failure, never a skip.
    const QString buildDir =
        QFileInfo(QStringLiteral(DIGITDESK_BINARY)).dir().absoluteFilePath(QStringLiteral(".."));
    m_archive = m_dir.filePath(QStringLiteral("digitdesk-serve.tar"));
    const ToolRun built = run(QStringLiteral("/bin/bash"),
                              {Script, QDir::cleanPath(buildDir), m_archive}, {}, BuildMs);
    QVERIFY2(built.exitCode == 0, qPrintable(said(built)));
    qInfo("%s", qPrintable(built.out.trimmed()));

    const ToolRun config =
        run(QStringLiteral("skopeo"),
            {QStringLiteral("inspect"), QStringLiteral("--config"), QStringLiteral("--raw"),
             QStringLiteral("docker-archive:") + m_archive});
    QVERIFY2(config.exitCode == 0, qPrintable(said(config)));
    m_config = QJsonDocument::fromJson(config.out.toUtf8()).object();
    QVERIFY2(!m_config.isEmpty(), qPrintable(config.out.left(500)));

    const QJsonArray deployment = yamlDocuments(Deployment);
    QVERIFY2(!deployment.isEmpty(), "install python3-yaml (installer/deps-debian.sh does)");
    m_container = jsonAt(deployment[0], {QStringLiteral("spec"), QStringLiteral("template"),
                                         QStringLiteral("spec"), QStringLiteral("containers"),
                                         QStringLiteral("0")})
                      .toObject();
    QVERIFY(!m_container.isEmpty());

    m_runner = std::make_unique<ImageRunner>(m_archive, m_tag, m_dir.path(), User);
    QString why;
    const QStringList probe{QStringLiteral("/usr/bin/digitdesk"), QStringLiteral("--version")};
    if (qEnvironmentVariableIntValue("DIGITDESK_TEST_IMAGE_UNPACK") != 0 ||
        !m_runner->tryPodman(probe, &why)) {
        qInfo("podman cannot run the image here, so it is unpacked: %s",
              qPrintable(why.right(2000)));
        why.clear();
        QVERIFY2(m_runner->unpack(&why), qPrintable(why));
    }
    qInfo("the image runs %s",
          m_runner->inPodman() ? "in podman" : "in a chroot, unpacked with umoci");
}

void tst_ContainerImage::configIsWhatTheDeploymentExpects()
{
    const QJsonObject config = m_config.value(QStringLiteral("config")).toObject();
    // The Deployment names the image by tag and runs it as 10001, with its own args.
    QCOMPARE(m_container.value(QStringLiteral("image")).toString(), m_tag);
    QCOMPARE(config.value(QStringLiteral("User")).toString(), QStringLiteral("%1:%1").arg(User));
    QCOMPARE(
        jsonAt(m_container, {QStringLiteral("securityContext"), QStringLiteral("runAsNonRoot")})
            .toBool(),
        true);
    QCOMPARE(strings(config.value(QStringLiteral("Entrypoint"))),
             QStringList{QStringLiteral("/usr/bin/digitdesk")});
    QCOMPARE(
        strings(config.value(QStringLiteral("Cmd"))),
        QStringList({QStringLiteral("serve"), QStringLiteral("--host"), QStringLiteral("0.0.0.0"),
                     QStringLiteral("--port"), QStringLiteral("8080")}));
    QCOMPARE(strings(m_container.value(QStringLiteral("args"))).mid(0, 5),
             strings(config.value(QStringLiteral("Cmd"))));
    const int port = jsonAt(m_container, {QStringLiteral("ports"), QStringLiteral("0"),
                                          QStringLiteral("containerPort")})
                         .toInt();
    QCOMPARE(port, 8080);
    QVERIFY(config.value(QStringLiteral("ExposedPorts"))
                .toObject()
                .contains(QStringLiteral("%1/tcp").arg(port)));
    QVERIFY(strings(config.value(QStringLiteral("Env")))
                .contains(QStringLiteral("DIGITDESK_WORKSPACE=") + WorkspaceInside));
    QVERIFY(config.value(QStringLiteral("Volumes")).toObject().contains(WorkspaceInside));

    // The health check asks what the Deployment's liveness probe asks.
    const QString probed = jsonAt(m_container, {QStringLiteral("livenessProbe"),
                                                QStringLiteral("httpGet"), QStringLiteral("path")})
                               .toString();
    const QStringList check =
        strings(jsonAt(config, {QStringLiteral("Healthcheck"), QStringLiteral("Test")}));
    QVERIFY2(check.value(0) == QStringLiteral("CMD") &&
                 check.contains(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(probed)),
             qPrintable(check.join(QLatin1Char(' '))));

    const QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
    QCOMPARE(labels.value(QStringLiteral("org.opencontainers.image.version")).toString(),
             m_version);
    QCOMPARE(labels.value(QStringLiteral("org.opencontainers.image.title")).toString(),
             QStringLiteral("digitdesk-serve"));
}

void tst_ContainerImage::layersAreDebianThenTheBuild()
{
    // Two layers: Debian's root filesystem (the same while the packages are), then the build.
    const QJsonArray layers =
        jsonAt(m_config, {QStringLiteral("rootfs"), QStringLiteral("diff_ids")}).toArray();
    QCOMPARE(layers.size(), 2);
    const ToolRun listed = run(QStringLiteral("tar"), {QStringLiteral("-xOf"), m_archive,
                                                       QStringLiteral("manifest.json")});
    QCOMPARE(listed.exitCode, 0);
    const QJsonValue manifest = QJsonDocument::fromJson(listed.out.toUtf8()).array().at(0);
    // The Deployment's `image: digitdesk-serve:VERSION` as a container runtime reads it.
    QCOMPARE(strings(manifest[QStringLiteral("RepoTags")]),
             QStringList{QStringLiteral("docker.io/library/") + m_tag});
    const ToolRun build =
        run(QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("tar -xOf \"$0\" \"$1\" | tar -t"), m_archive,
             strings(manifest[QStringLiteral("Layers")]).value(1)});
    QVERIFY2(build.exitCode == 0, qPrintable(said(build)));
    QVERIFY2(build.out.contains(QStringLiteral("usr/bin/digitdesk\n")) &&
                 build.out.contains(QStringLiteral("usr/lib/digitdesk/libdigitdesk_torch.so\n")) &&
                 !build.out.contains(QStringLiteral("usr/lib/x86_64-linux-gnu/")),
             qPrintable(build.out.left(2000)));
}

void tst_ContainerImage::binaryRunsInside()
{
    const ToolRun version =
        inside({QStringLiteral("/usr/bin/digitdesk"), QStringLiteral("--version")});
    QVERIFY2(version.out.startsWith(QStringLiteral("DigitDesk ") + m_version),
             qPrintable(said(version)));
    const ToolRun help = inside(
        {QStringLiteral("/usr/bin/digitdesk"), QStringLiteral("serve"), QStringLiteral("--help")});
    QVERIFY2(help.exitCode == 0 && help.out.contains(QStringLiteral("--host")),
             qPrintable(said(help)));
    const ToolRun who = inside({QStringLiteral("/usr/bin/id"), QStringLiteral("-u")});
    QCOMPARE(who.out.trimmed(), QString::number(User));
}

void tst_ContainerImage::filesAreOwnedAsExpected()
{
    // The program is root's and read-only to its user; only the workspace is the user's.
    const ToolRun owners =
        inside({QStringLiteral("/usr/bin/stat"), QStringLiteral("--format=%n %u %a"),
                QStringLiteral("/usr/bin/digitdesk"), QStringLiteral("/usr/lib/digitdesk"),
                QStringLiteral("/usr/lib/digitdesk/libdigitdesk_torch.so"), WorkspaceInside});
    QVERIFY2(owners.exitCode == 0, qPrintable(said(owners)));
    QCOMPARE(owners.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts),
             QStringList({QStringLiteral("/usr/bin/digitdesk 0 755"),
                          QStringLiteral("/usr/lib/digitdesk 0 755"),
                          QStringLiteral("/usr/lib/digitdesk/libdigitdesk_torch.so 0 644"),
                          QStringLiteral("%1 %2 750").arg(WorkspaceInside).arg(User)}));
}

void tst_ContainerImage::everyLibraryResolvesInside()
{
    // The modules and Qt's SQL drivers are opened at run time: a library missing from the
    // package list would show only on the first prediction or the first PostgreSQL workspace.
    const QString drivers = QStringLiteral("/usr/lib/x86_64-linux-gnu/qt6/plugins/sqldrivers/");
    const ToolRun resolved = inside(
        {QStringLiteral("/usr/bin/ldd"), QStringLiteral("/usr/bin/digitdesk"),
         QStringLiteral("/usr/lib/digitdesk/libdigitdesk_torch.so"),
         QStringLiteral("/usr/lib/digitdesk/libdigitdesk_imaging.so"),
         drivers + QStringLiteral("libqsqlite.so"), drivers + QStringLiteral("libqsqlpsql.so")});
    QVERIFY2(resolved.exitCode == 0, qPrintable(said(resolved)));
    QVERIFY2(!resolved.out.contains(QStringLiteral("not found")), qPrintable(resolved.out));
}

QString tst_ContainerImage::makeWorkspace()
{
    // Off loopback the endpoint will not start without a bearer token; a live probe needs no
    // model.
    const QString folder = m_dir.filePath(QStringLiteral("workspace"));
    const QString binary = QStringLiteral(DIGITDESK_BINARY);
    const ToolRun init = run(binary, {QStringLiteral("workspace"), QStringLiteral("init"), folder});
    if (init.exitCode != 0) {
        qWarning("%s", qPrintable(said(init)));
        return {};
    }
    const ToolRun token =
        run(binary,
            {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("serving.token"),
             QStringLiteral("-"), QStringLiteral("--workspace"), folder},
            Token + '\n');
    const ToolRun owned = run(QStringLiteral("chown"),
                              {QStringLiteral("-R"), QStringLiteral("%1:%1").arg(User), folder});
    if (token.exitCode != 0 || owned.exitCode != 0) {
        qWarning("%s %s", qPrintable(said(token)), qPrintable(said(owned)));
        return {};
    }
    return folder;
}

void tst_ContainerImage::endpointAnswersItsHealthCheck()
{
    if (m_runner->inPodman()) {
        answerInPodman();
    } else {
        answerInChroot();
    }
}

void tst_ContainerImage::answerInPodman()
{
    const QString workspace = makeWorkspace();
    QVERIFY(!workspace.isEmpty());
    const QString name = QStringLiteral("digitdesk-serve-test-%1").arg(::getpid());
    // As the Deployment runs it: read-only root, no capabilities, no privilege escalation.
    const ToolRun started =
        run(QStringLiteral("podman"),
            podman(QStringList{QStringLiteral("run"), QStringLiteral("--detach"),
                               QStringLiteral("--name"), name, QStringLiteral("--read-only"),
                               QStringLiteral("--cap-drop=all"),
                               QStringLiteral("--security-opt=no-new-privileges"),
                               QStringLiteral("--publish=127.0.0.1::8080"),
                               QStringLiteral("--volume=%1:%2").arg(workspace, WorkspaceInside)} +
                   ImageRunner::runOptions() + QStringList{m_tag}));
    QVERIFY2(started.exitCode == 0, qPrintable(said(started)));
    const auto logs = [this, &name] {
        return said(run(QStringLiteral("podman"), podman({QStringLiteral("logs"), name})));
    };
    const ToolRun published = run(QStringLiteral("podman"),
                                  podman({QStringLiteral("port"), name, QStringLiteral("8080")}));
    const int port = published.out.trimmed().section(QLatin1Char(':'), -1).toInt();
    QVERIFY2(port > 0, qPrintable(said(published)));

    QTRY_VERIFY2_WITH_TIMEOUT(liveStatus(port) == 200, qPrintable(logs()), 60000);
    const ToolRun healthy =
        run(QStringLiteral("podman"),
            podman({QStringLiteral("healthcheck"), QStringLiteral("run"), name}));
    QVERIFY2(healthy.exitCode == 0, qPrintable(said(healthy)));
    // The endpoint writes its state into the volume, as user 10001.
    const QByteArray state = QFile::encodeName(workspace + QStringLiteral("/logs/serving.json"));
    const auto stateOwner = [&state] {
        struct stat info
        {
        };
        return ::stat(state.constData(), &info) == 0 ? info.st_uid : uint(-1);
    };
    QTRY_COMPARE_WITH_TIMEOUT(stateOwner(), User, 10000);

    // SIGTERM drains and exits 0, as a rolling update stops a pod.
    const ToolRun stopped =
        run(QStringLiteral("podman"),
            podman({QStringLiteral("stop"), QStringLiteral("--time=30"), name}));
    QVERIFY2(stopped.exitCode == 0, qPrintable(said(stopped)));
    const ToolRun exited =
        run(QStringLiteral("podman"), podman({QStringLiteral("inspect"), QStringLiteral("--format"),
                                              QStringLiteral("{{.State.ExitCode}}"), name}));
    QVERIFY2(exited.out.trimmed() == QStringLiteral("0"), qPrintable(logs()));
}

void tst_ContainerImage::answerInChroot()
{
    // The endpoint, on the host's network: loopback and a free port, so the check's port moves.
    const QString workspace = makeWorkspace();
    QVERIFY(!workspace.isEmpty());
    const QString volume = m_runner->rootfs() + WorkspaceInside;
    QVERIFY(QDir(volume).removeRecursively());
    QVERIFY(QFile::rename(workspace, volume));
    // The image's environment (its workspace, locale), and the home its passwd names.
    QProcessEnvironment environment;
    for (const QString &variable :
         strings(jsonAt(m_config, {QStringLiteral("config"), QStringLiteral("Env")}))) {
        environment.insert(variable.section(QLatin1Char('='), 0, 0),
                           variable.section(QLatin1Char('='), 1));
    }
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/var/lib/digitdesk"));
    QProcess serve;
    serve.setProcessEnvironment(environment);
    serve.setProcessChannelMode(QProcess::MergedChannels);
    serve.start(QStringLiteral("unshare"),
                m_runner->chroot({QStringLiteral("/usr/bin/digitdesk"), QStringLiteral("serve"),
                                  QStringLiteral("--port"), QStringLiteral("0")}));
    QVERIFY(serve.waitForStarted());
    const QRegularExpression listening(QStringLiteral("listening on http://127.0.0.1:(\\d+)"));
    QString log;
    const auto listeningPort = [&] {
        log += QString::fromUtf8(serve.readAll());
        return listening.match(log).captured(1).toInt();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(listeningPort() > 0, qPrintable(log), 60000);
    const int port = listeningPort();
    QCOMPARE(liveStatus(port), 200);
    QStringList check =
        strings(jsonAt(m_config, {QStringLiteral("config"), QStringLiteral("Healthcheck"),
                                  QStringLiteral("Test")}))
            .mid(1);
    check.replaceInStrings(QStringLiteral(":8080/"), QStringLiteral(":%1/").arg(port));
    const ToolRun healthy = inside(check);
    QVERIFY2(healthy.exitCode == 0, qPrintable(said(healthy)));
    serve.terminate();
    QVERIFY(serve.waitForFinished(40000));
    QCOMPARE(serve.exitCode(), 0);
}

void tst_ContainerImage::cleanupTestCase()
{
    m_runner.reset();
}

QTEST_GUILESS_MAIN(tst_ContainerImage)
#include "tst_containerimage.moc"
