// The Debian package as `make package` makes it (cpack -G DEB over the build), unpacked with
// dpkg-deb -x: the packaged binary runs and finds its LibTorch and OpenCV modules beside it, the
// control file declares the libraries it needs, and the desktop entry, the AppStream metainfo,
// the systemd unit and the man page pass desktop-file-validate, appstreamcli, systemd-analyze
// and man. The man page and the bash completion are held to the packaged binary's own --help.
// A package `make package` left in the build folder is reused when it is newer than everything
// it holds; otherwise the suite runs cpack itself, into a folder of its own.
#include "tests/support/yamlfile.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace digitdesk;
using testing::ToolRun;

namespace {

const QString SourceDir = QStringLiteral(DIGITDESK_SOURCE_DIR);
const QString BuildDir = QDir::cleanPath(QStringLiteral(DIGITDESK_BINARY "/../.."));
const QString AppId = QStringLiteral("org.digitdesk.DigitDesk");
constexpr int CpackMs = 10 * 60 * 1000;

// `program` in the environment a person has: no library path, module override or workspace.
ToolRun run(const QString &program, const QStringList &arguments, int timeoutMs = 120000,
            const QString &workingDir = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name :
         {"LD_LIBRARY_PATH", "DIGITDESK_TORCH_MODULE", "DIGITDESK_IMAGING_MODULE",
          "DIGITDESK_WORKSPACE", "DIGITDESK_DATABASE", "MANPAGER", "PAGER"}) {
        environment.remove(QString::fromLatin1(name));
    }
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(workingDir);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, {}, program + QStringLiteral(" did not finish: ") + process.errorString()};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString said(const ToolRun &ran)
{
    return QStringLiteral("exit %1: %2").arg(ran.exitCode).arg(ran.said().right(3000));
}

QDateTime newestInside(const QStringList &paths)
{
    QDateTime newest;
    for (const QString &path : paths) {
        QDirIterator files(path, QDir::Files, QDirIterator::Subdirectories);
        const QFileInfo single(path);
        QList<QFileInfo> infos;
        if (single.isFile()) {
            infos.append(single);
        }
        while (files.hasNext()) {
            infos.append(QFileInfo(files.next()));
        }
        for (const QFileInfo &info : infos) {
            if (!newest.isValid() || info.lastModified() > newest) {
                newest = info.lastModified();
            }
        }
    }
    return newest;
}

// The long options a help text lists ("--port <PORT>", "-h, --help").
QStringList longOptions(const QString &help)
{
    QStringList names;
    const QString options = help.section(QStringLiteral("\nOptions:\n"), 1);
    QRegularExpressionMatchIterator found =
        QRegularExpression(QStringLiteral("(?m)^  (?:-\\w, )?(--[a-z][a-z0-9-]*)"))
            .globalMatch(options);
    while (found.hasNext()) {
        names.append(found.next().captured(1));
    }
    return names;
}

} // namespace

class tst_Package : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void controlDeclaresWhatTheBinaryLoads();
    void binaryFindsItsModulesBesideIt();
    void everyCommandPrintsItsHelp();
    void desktopEntryValidates();
    void iconIsAnSvgQtDraws();
    void metainfoValidatesWithTheReadmeScreenshots();
    void serveUnitVerifiesWithItsLimits();
    void manPageHasEveryCommandAndOption();
    void bashCompletionCompletesCommandsAndOptions_data();
    void bashCompletionCompletesCommandsAndOptions();
    void userAndConffileAreDeclared();

private:
    QString unpacked(const QString &path) const { return m_root.filePath(path.mid(1)); }
    QString packagedBinary() const { return unpacked(QStringLiteral("/usr/bin/digitdesk")); }
    ToolRun digitdesk(const QStringList &arguments) const
    {
        return run(packagedBinary(), arguments);
    }

    QTemporaryDir m_work;
    QDir m_root;
    QString m_package;
};

void tst_Package::initTestCase()
{
    QVERIFY(m_work.isValid());
    // A package `make package` made is reused only when it is newer than what it holds.
    const QStringList packed =
        QDir(BuildDir).entryList({QStringLiteral("digitdesk_*.deb")}, QDir::Files, QDir::Time);
    const QDateTime inputs = newestInside(
        {QStringLiteral(DIGITDESK_BINARY), BuildDir + QStringLiteral("/lib/digitdesk"),
         BuildDir + QStringLiteral("/installer"), SourceDir + QStringLiteral("/installer/debian"),
         SourceDir + QStringLiteral("/resources/icons"),
         BuildDir + QStringLiteral("/CPackConfig.cmake")});
    if (!packed.isEmpty() &&
        QFileInfo(BuildDir + QLatin1Char('/') + packed.first()).lastModified() > inputs) {
        m_package = BuildDir + QLatin1Char('/') + packed.first();
        qInfo("reusing %s", qPrintable(m_package));
    } else {
        const QString output = m_work.filePath(QStringLiteral("cpack"));
        QElapsedTimer timer;
        timer.start();
        const ToolRun made =
            run(QStringLiteral("cpack"),
                {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
                 BuildDir + QStringLiteral("/CPackConfig.cmake"), QStringLiteral("-B"), output},
                CpackMs, BuildDir);
        QVERIFY2(made.exitCode == 0, qPrintable(said(made)));
        const QStringList debs =
            QDir(output).entryList({QStringLiteral("digitdesk_*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        m_package = output + QLatin1Char('/') + debs.first();
        qInfo("cpack made %s in %.1f s", qPrintable(debs.first()), timer.elapsed() / 1000.0);
    }
    qInfo("package size %.1f MB", QFileInfo(m_package).size() / 1e6);

    m_root = QDir(m_work.filePath(QStringLiteral("root")));
    const ToolRun extracted =
        run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_package, m_root.path()});
    QVERIFY2(extracted.exitCode == 0, qPrintable(said(extracted)));
    QVERIFY(QFileInfo(packagedBinary()).isExecutable());
}

void tst_Package::controlDeclaresWhatTheBinaryLoads()
{
    const ToolRun info = run(QStringLiteral("dpkg-deb"),
                             {QStringLiteral("-f"), m_package, QStringLiteral("Depends")});
    QVERIFY2(info.exitCode == 0, qPrintable(said(info)));
    QStringList packages;
    for (const QString &alternatives : info.out.trimmed().split(QStringLiteral(", "))) {
        packages.append(alternatives.section(QLatin1Char(' '), 0, 0));
    }
    // dpkg-shlibdeps' findings in the binary and both modules, then the dlopened ones by hand.
    for (const char *expected :
         {"libtorch", "libopencv-core", "libopencv-imgproc", "libopencv-imgcodecs", "libqt6core6",
          "libqt6widgets6", "libqt6sql6", "libqt6charts6", "libgit2", "libsodium", "libsqlite3",
          "libqt6sql6-sqlite", "libqt6sql6-psql", "qt6-qpa-plugins", "libqt6svg6",
          "libopenblas0-openmp"}) {
        const QString name = QString::fromLatin1(expected);
        // The name, or the name and its soname version (libtorch1.13, libgit2-1.5).
        const QRegularExpression package(
            QStringLiteral("^%1(-?[0-9][0-9.]*)?$").arg(QRegularExpression::escape(name)));
        const bool found = std::any_of(packages.cbegin(), packages.cend(), [&](const QString &p) {
            return package.match(p).hasMatch();
        });
        QVERIFY2(found, qPrintable(name + QStringLiteral(" is not in Depends: ") + info.out));
    }
}

void tst_Package::binaryFindsItsModulesBesideIt()
{
    // The installed RUNPATH is relative to the binary, never the build folder's.
    const ToolRun dynamic =
        run(QStringLiteral("readelf"), {QStringLiteral("-d"), packagedBinary()});
    QVERIFY2(dynamic.exitCode == 0, qPrintable(said(dynamic)));
    QVERIFY2(dynamic.out.contains(QStringLiteral("[$ORIGIN/../lib/digitdesk]")),
             qPrintable(dynamic.out));
    QVERIFY(!dynamic.out.contains(BuildDir));
    for (const char *module : {"libdigitdesk_torch.so", "libdigitdesk_imaging.so"}) {
        QVERIFY2(QFileInfo::exists(unpacked(QStringLiteral("/usr/lib/digitdesk/")) + module),
                 module);
    }

    // --version names LibTorch's version, which only the torch module knows.
    const ToolRun version = digitdesk({QStringLiteral("--version")});
    QVERIFY2(version.exitCode == 0, qPrintable(said(version)));
    QVERIFY2(version.out.startsWith(QStringLiteral("DigitDesk " DIGITDESK_PACKAGE_VERSION "\n")),
             qPrintable(version.out));
    QVERIFY2(version.out.contains(QRegularExpression(QStringLiteral("LibTorch \\d+\\.\\d+"))),
             qPrintable(version.out));

    const ToolRun serve = digitdesk({QStringLiteral("serve"), QStringLiteral("--help")});
    QVERIFY2(serve.exitCode == 0, qPrintable(said(serve)));
    for (const char *option : {"--host", "--port", "--workspace", "--watch-inbox"}) {
        QVERIFY2(serve.out.contains(QLatin1String(option)), qPrintable(serve.out));
    }
}

void tst_Package::everyCommandPrintsItsHelp()
{
    const ToolRun check = run(QStringLiteral("/usr/bin/python3"),
                              {SourceDir + QStringLiteral("/installer/clidocs.py"),
                               packagedBinary(), QStringLiteral("--check")});
    QVERIFY2(check.exitCode == 0, qPrintable(said(check)));
}

void tst_Package::desktopEntryValidates()
{
    const QString entry = unpacked(QStringLiteral("/usr/share/applications/%1.desktop").arg(AppId));
    const ToolRun valid = run(QStringLiteral("desktop-file-validate"), {entry});
    QVERIFY2(valid.exitCode == 0 && valid.said().isEmpty(), qPrintable(said(valid)));
    QFile file(entry);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(QStringLiteral("\nExec=digitdesk\n")));
    QVERIFY(text.contains(QStringLiteral("\nIcon=digitdesk\n")));
}

void tst_Package::iconIsAnSvgQtDraws()
{
    const QString icon =
        unpacked(QStringLiteral("/usr/share/icons/hicolor/scalable/apps/digitdesk.svg"));
    QFile packaged(icon);
    QFile source(SourceDir + QStringLiteral("/resources/icons/digitdesk.svg"));
    QVERIFY(packaged.open(QIODevice::ReadOnly) && source.open(QIODevice::ReadOnly));
    QCOMPARE(packaged.readAll(), source.readAll());
    // Through Qt's SVG image plugin (libqt6svg6, a dependency), as the window icon is drawn.
    const QImage drawn(icon);
    QVERIFY2(!drawn.isNull(), "Qt cannot read the icon: is libqt6svg6 installed?");
    QCOMPARE(drawn.size(), QSize(128, 128));
    QVERIFY(drawn.pixelColor(64, 20).alpha() == 255 && drawn.pixelColor(2, 2).alpha() == 0);
}

void tst_Package::metainfoValidatesWithTheReadmeScreenshots()
{
    const QString metainfo =
        unpacked(QStringLiteral("/usr/share/metainfo/%1.metainfo.xml").arg(AppId));
    const ToolRun valid = run(QStringLiteral("appstreamcli"),
                              {QStringLiteral("validate"), QStringLiteral("--no-net"),
                               QStringLiteral("--strict"), QStringLiteral("--explain"), metainfo});
    QVERIFY2(valid.exitCode == 0, qPrintable(said(valid)));

    QFile file(metainfo);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    // Each screenshot is one the README shows and the repository holds.
    QRegularExpressionMatchIterator images =
        QRegularExpression(QStringLiteral("<image>[^<]*/([^/<]+\\.png)</image>")).globalMatch(text);
    QFile readme(SourceDir + QStringLiteral("/README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QString shown = QString::fromUtf8(readme.readAll());
    int count = 0;
    while (images.hasNext()) {
        const QString name = images.next().captured(1);
        QVERIFY2(shown.contains(QStringLiteral("docs/screenshots/") + name), qPrintable(name));
        QVERIFY2(QFileInfo::exists(SourceDir + QStringLiteral("/docs/screenshots/") + name),
                 qPrintable(name));
        ++count;
    }
    QVERIFY2(count > 0, "the metainfo has no screenshots: the README shows none");
    // The newest release is the version the binary says it is.
    const QString newest =
        QRegularExpression(QStringLiteral("<release version=\"([^\"]+)\"")).match(text).captured(1);
    QCOMPARE(newest, QStringLiteral(DIGITDESK_PACKAGE_VERSION));
}

void tst_Package::serveUnitVerifiesWithItsLimits()
{
    const QString unit = unpacked(QStringLiteral("/lib/systemd/system/digitdesk-serve.service"));
    // In the unpacked tree (--root), where ExecStart's /usr/bin/digitdesk must exist; the targets
    // the unit is ordered after are the host's, so only the unit itself is checked. A line
    // systemd ignores is a warning, so the output must be empty too.
    const ToolRun verified =
        run(QStringLiteral("systemd-analyze"),
            {QStringLiteral("verify"), QStringLiteral("--root=") + m_root.path(),
             QStringLiteral("--man=no"), QStringLiteral("--recursive-errors=no"),
             QStringLiteral("/lib/systemd/system/digitdesk-serve.service")});
    QVERIFY2(verified.exitCode == 0 && verified.said().trimmed().isEmpty(),
             qPrintable(said(verified)));

    QFile file(unit);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    for (const QString &line :
         {QStringLiteral("ExecStart=/usr/bin/digitdesk serve --host ${DIGITDESK_HOST} --port "
                         "${DIGITDESK_PORT} $DIGITDESK_SERVE_OPTIONS"),
          QStringLiteral("EnvironmentFile=-/etc/default/digitdesk-serve"),
          QStringLiteral("User=digitdesk"), QStringLiteral("Restart=on-failure")}) {
        QVERIFY2(text.contains(QLatin1Char('\n') + line + QLatin1Char('\n')), qPrintable(line));
    }
    QVERIFY(text.contains(QRegularExpression(QStringLiteral("\nMemoryMax=\\d+[KMG]\n"))));
    QVERIFY(text.contains(QRegularExpression(QStringLiteral("\nTasksMax=\\d+\n"))));

    // The defaults listen where installer/digitdesk-serve.service does (Prometheus scrapes it).
    QFile defaults(unpacked(QStringLiteral("/etc/default/digitdesk-serve")));
    QFile sourceUnit(SourceDir + QStringLiteral("/installer/digitdesk-serve.service"));
    QVERIFY(defaults.open(QIODevice::ReadOnly) && sourceUnit.open(QIODevice::ReadOnly));
    const QString settings = QString::fromUtf8(defaults.readAll());
    const QRegularExpressionMatch listen =
        QRegularExpression(QStringLiteral("serve --host (\\S+) --port (\\d+)"))
            .match(QString::fromUtf8(sourceUnit.readAll()));
    QVERIFY(listen.hasMatch());
    QVERIFY(settings.contains(QStringLiteral("\nDIGITDESK_HOST=") + listen.captured(1) + '\n'));
    QVERIFY(settings.contains(QStringLiteral("\nDIGITDESK_PORT=") + listen.captured(2) + '\n'));
    QVERIFY(settings.contains(QStringLiteral("\nDIGITDESK_WORKSPACE=/var/lib/digitdesk/")));
}

void tst_Package::manPageHasEveryCommandAndOption()
{
    const QString page = unpacked(QStringLiteral("/usr/share/man/man1/digitdesk.1.gz"));
    const ToolRun warnings =
        run(QStringLiteral("man"), {QStringLiteral("--warnings"), QStringLiteral("-l"), page});
    QVERIFY2(warnings.exitCode == 0 && warnings.err.isEmpty(), qPrintable(said(warnings)));
    QVERIFY2(warnings.out.contains(QStringLiteral("DIGITDESK(1)")),
             qPrintable(warnings.out.left(500)));
    // The roff source, where an option is "\-\-port" and a section ".SS digitdesk serve".
    const ToolRun source = run(QStringLiteral("gzip"), {QStringLiteral("-dc"), page});
    QVERIFY2(source.exitCode == 0, qPrintable(said(source)));
    const QString roffSource =
        QString(source.out).replace(QStringLiteral("\\-"), QStringLiteral("-"));

    // Each command the packaged binary's help lists is a section, with each option its own
    // --help lists: the page cannot lag behind the binary it ships with.
    const ToolRun top = digitdesk({QStringLiteral("--help")});
    QVERIFY2(top.exitCode == 0, qPrintable(said(top)));
    const QString commands =
        top.out.section(QStringLiteral("Commands:\n"), 1).section("\n\n", 0, 0);
    QStringList seen;
    for (const QString &line : commands.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QString command = line.trimmed().section(QLatin1Char(' '), 0, 0).remove(',');
        if (seen.contains(command) || command == QStringLiteral("help")) {
            continue;
        }
        seen.append(command);
        QVERIFY2(roffSource.contains(QStringLiteral("\n.SS digitdesk ") + command),
                 qPrintable(command + QStringLiteral(" has no section")));
        const ToolRun help = digitdesk({command, QStringLiteral("--help")});
        for (const QString &option : longOptions(help.out)) {
            QVERIFY2(roffSource.contains(option), qPrintable(command + QLatin1Char(' ') + option +
                                                             QStringLiteral(" is missing")));
        }
    }
    QVERIFY2(seen.size() >= 15, qPrintable(seen.join(QLatin1Char(' '))));
    // A subcommand's own options too (train's from its help, models promote's --reason).
    const ToolRun promote =
        digitdesk({QStringLiteral("models"), QStringLiteral("promote"), QStringLiteral("--help")});
    QVERIFY(longOptions(promote.out).contains(QStringLiteral("--reason")));
    QVERIFY(roffSource.contains(QStringLiteral("\n.SS digitdesk models promote\n")));
}

void tst_Package::bashCompletionCompletesCommandsAndOptions_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("expected");
    QTest::newRow("command") << "digitdesk mod"
                             << "models";
    QTest::newRow("after a global option") << "digitdesk --workspace /tmp data"
                                           << "dataset";
    QTest::newRow("subcommand") << "digitdesk models prom"
                                << "promote";
    QTest::newRow("command option") << "digitdesk serve --watch-i"
                                    << "--watch-inbox";
    QTest::newRow("subcommand option") << "digitdesk models promote --rea"
                                       << "--reason";
    QTest::newRow("top-level option") << "digitdesk --vers"
                                      << "--version";
    QTest::newRow("every subcommand") << "digitdesk settings "
                                      << "list";
    QTest::newRow("an option's choices") << "digitdesk train --augment "
                                         << "on";
}

void tst_Package::bashCompletionCompletesCommandsAndOptions()
{
    QFETCH(QString, line);
    QFETCH(QString, expected);
    const QString completion =
        unpacked(QStringLiteral("/usr/share/bash-completion/completions/digitdesk"));
    const QString script =
        QStringLiteral("source \"$1\"; read -ra COMP_WORDS <<<\"$2\"; "
                       "[[ $2 == *' ' ]] && COMP_WORDS+=(''); "
                       "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _digitdesk; "
                       "printf '%s\\n' \"${COMPREPLY[@]}\"; complete -p digitdesk");
    const ToolRun completed =
        run(QStringLiteral("bash"),
            {QStringLiteral("-c"), script, QStringLiteral("bash"), completion, line});
    QVERIFY2(completed.exitCode == 0 && completed.err.isEmpty(), qPrintable(said(completed)));
    const QStringList lines = completed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.value(0), expected);
    QCOMPARE(lines.last(), QStringLiteral("complete -o filenames -F _digitdesk digitdesk"));
}

void tst_Package::userAndConffileAreDeclared()
{
    const QString control = m_work.filePath(QStringLiteral("control"));
    const ToolRun extracted =
        run(QStringLiteral("dpkg-deb"), {QStringLiteral("-e"), m_package, control});
    QVERIFY2(extracted.exitCode == 0, qPrintable(said(extracted)));
    QFile conffiles(control + QStringLiteral("/conffiles"));
    QVERIFY(conffiles.open(QIODevice::ReadOnly));
    QCOMPARE(conffiles.readAll(), QByteArray("/etc/default/digitdesk-serve\n"));
    QFile postinst(control + QStringLiteral("/postinst"));
    QVERIFY(postinst.open(QIODevice::ReadOnly));
    QVERIFY(QFileInfo(postinst).isExecutable());
    QVERIFY(postinst.readAll().contains("systemd-sysusers digitdesk.conf"));
    QFile sysusers(unpacked(QStringLiteral("/usr/lib/sysusers.d/digitdesk.conf")));
    QVERIFY(sysusers.open(QIODevice::ReadOnly));
    QVERIFY(sysusers.readAll().contains("\nu digitdesk - "));
    const ToolRun parsed = run(QStringLiteral("systemd-sysusers"),
                               {QStringLiteral("--dry-run"),
                                QStringLiteral("--root=") + m_root.path(), sysusers.fileName()});
    QVERIFY2(parsed.exitCode == 0, qPrintable(said(parsed)));
}

QTEST_MAIN(tst_Package)
#include "tst_package.moc"
