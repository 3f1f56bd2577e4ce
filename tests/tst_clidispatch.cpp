#include "storage/workspace.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace digitdesk;

namespace {

struct Run
{
    bool finished = false; // ended by itself, not by a signal (Qt's abort is SIGABRT)
    int exitCode = -1;
    QString out;
    QString err;
};

// The real binary on a machine without a display: no DISPLAY, no WAYLAND_DISPLAY and no
// QT_QPA_PLATFORM, unless `extra` sets one.
Run runWithoutDisplay(const QStringList &arguments, const QStringList &extra = {},
                      const QByteArray &input = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name :
         {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DIGITDESK_WORKSPACE"}) {
        environment.remove(QString::fromLatin1(name));
    }
    for (const QString &assignment : extra) {
        environment.insert(assignment.section(QLatin1Char('='), 0, 0),
                           assignment.section(QLatin1Char('='), 1));
    }
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process.write(input);
    process.closeWriteChannel();
    const bool ended = process.waitForFinished(120000);
    Run run;
    run.finished = ended && process.exitStatus() == QProcess::NormalExit;
    run.exitCode = run.finished ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString describe(const Run &run)
{
    return QStringLiteral("exit %1 (%2)\nstdout:\n%3\nstderr:\n%4")
        .arg(run.exitCode)
        .arg(run.finished ? QStringLiteral("ended by itself") : QStringLiteral("killed or hung"))
        .arg(run.out, run.err);
}

} // namespace

class tst_CliDispatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void globalOptionsBeforeOrAfterTheCommand_data();
    void globalOptionsBeforeOrAfterTheCommand();
    void versions_data();
    void versions();
    void unknownCommandsAreUsageErrors_data();
    void unknownCommandsAreUsageErrors();
    void guiWithoutDisplayIsOneLineAndExitTwo_data();
    void guiWithoutDisplayIsOneLineAndExitTwo();

private:
    QTemporaryDir m_dir;
    QString ws() const { return m_dir.filePath(QStringLiteral("ws")); }
};

void tst_CliDispatch::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    QVERIFY(storage::Workspace::create(ws()));
}

void tst_CliDispatch::globalOptionsBeforeOrAfterTheCommand_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("before");
    QTest::addColumn<QStringList>("after");
    const QString at = ws();
    QTest::newRow("--workspace DIR before")
        << "before" << QStringList{"--workspace", at} << QStringList{};
    QTest::newRow("--workspace=DIR before")
        << "equals" << QStringList{QStringLiteral("--workspace=") + at} << QStringList{};
    QTest::newRow("--workspace DIR after")
        << "after" << QStringList{} << QStringList{"--workspace", at};
}

// `digitdesk --workspace DIR users add NAME --role R`, as `git -C DIR ...`: the user is added
// and listed, from a shell with no display.
void tst_CliDispatch::globalOptionsBeforeOrAfterTheCommand()
{
    QFETCH(QString, name);
    QFETCH(QStringList, before);
    QFETCH(QStringList, after);
    const Run added =
        runWithoutDisplay(before + QStringList{"users", "add", name, "--role", "annotator"} + after,
                          {}, "a long enough password\n");
    QVERIFY2(added.finished && added.exitCode == 0, qPrintable(describe(added)));
    QVERIFY2(added.out.contains(QStringLiteral("Added %1 (annotator)").arg(name)),
             qPrintable(describe(added)));
    const Run listed = runWithoutDisplay(before + QStringList{"users", "list"} + after);
    QVERIFY2(listed.finished && listed.exitCode == 0, qPrintable(describe(listed)));
    QVERIFY2(QRegularExpression(QStringLiteral("^%1\\s+annotator\\s").arg(name),
                                QRegularExpression::MultilineOption)
                 .match(listed.out)
                 .hasMatch(),
             qPrintable(describe(listed)));
}

void tst_CliDispatch::versions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("--version") << QStringList{"--version"};
    QTest::newRow("version") << QStringList{"version"};
    QTest::newRow("--workspace DIR --version") << QStringList{"--workspace", ws(), "--version"};
    QTest::newRow("version --workspace DIR") << QStringList{"version", "--workspace", ws()};
}

void tst_CliDispatch::versions()
{
    QFETCH(QStringList, arguments);
    const Run run = runWithoutDisplay(arguments);
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(QRegularExpression(QStringLiteral("^DigitDesk \\d+\\.\\d+\\.\\d+$"),
                                QRegularExpression::MultilineOption)
                 .match(run.out)
                 .hasMatch(),
             qPrintable(describe(run)));
    QVERIFY2(run.out.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))),
             qPrintable(describe(run)));
    QVERIFY2(QRegularExpression(QStringLiteral("^LibTorch \\d+\\.\\d+"),
                                QRegularExpression::MultilineOption)
                 .match(run.out)
                 .hasMatch(),
             qPrintable(describe(run)));
    QVERIFY2(run.err.isEmpty(), qPrintable(describe(run)));
}

void tst_CliDispatch::unknownCommandsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("frobnicate") << QStringList{"frobnicate"}
                                << "'frobnicate' is not a digitdesk command; did you mean '";
    QTest::newRow("a swap") << QStringList{"imoprt", "scans"}
                            << "'imoprt' is not a digitdesk command; did you mean 'import'?";
    QTest::newRow("a letter short")
        << QStringList{"--workspace", ws(), "dataet", "log"}
        << "'dataet' is not a digitdesk command; did you mean 'dataset'?";
    QTest::newRow("a letter more") << QStringList{"userss", "list"} << "did you mean 'users'?";
    QTest::newRow("capitals") << QStringList{"Version"} << "did you mean 'version'?";
    QTest::newRow("an unknown option")
        << QStringList{"--frobnicate"} << "unknown option '--frobnicate'";
    QTest::newRow("--workspace without its folder")
        << QStringList{"--workspace"} << "--workspace needs a folder";
}

void tst_CliDispatch::unknownCommandsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Run run = runWithoutDisplay(arguments);
    QVERIFY2(run.finished, qPrintable(describe(run)));
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith(QStringLiteral("digitdesk: ")), qPrintable(describe(run)));
    QVERIFY2(run.err.contains(expected), qPrintable(describe(run)));
    QVERIFY2(run.err.contains(QStringLiteral("digitdesk --help")), qPrintable(describe(run)));
    QVERIFY2(run.out.isEmpty(), qPrintable(describe(run)));
}

void tst_CliDispatch::guiWithoutDisplayIsOneLineAndExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no display") << QStringList{} << QStringList{}
                                << "no display (DISPLAY and WAYLAND_DISPLAY are unset)";
    QTest::newRow("--workspace DIR, no display")
        << QStringList{"--workspace", ws()} << QStringList{}
        << "no display (DISPLAY and WAYLAND_DISPLAY are unset)";
    QTest::newRow("QT_QPA_PLATFORM=xcb, no display")
        << QStringList{} << QStringList{"QT_QPA_PLATFORM=xcb"}
        << "no display for QT_QPA_PLATFORM=xcb";
    // A display that is named but not there: Qt finds out, and says so in one line.
    QTest::newRow("DISPLAY of no X server")
        << QStringList{"--workspace", ws()} << QStringList{"DISPLAY=:4711"}
        << "could not connect to display :4711";
}

void tst_CliDispatch::guiWithoutDisplayIsOneLineAndExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, reason);
    const Run run = runWithoutDisplay(arguments, environment);
    QVERIFY2(run.finished, qPrintable(describe(run))); // not Qt's abort
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(QStringLiteral("digitdesk: cannot open the GUI: ")),
             qPrintable(describe(run)));
    QVERIFY2(run.err.contains(reason), qPrintable(describe(run)));
    QVERIFY2(!run.err.trimmed().contains(QLatin1Char('\n')), qPrintable(describe(run)));
    QVERIFY2(!run.err.contains(QStringLiteral("platform plugin")), qPrintable(describe(run)));
}

QTEST_GUILESS_MAIN(tst_CliDispatch)
#include "tst_clidispatch.moc"
