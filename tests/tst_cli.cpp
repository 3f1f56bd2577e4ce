#include "tests/support/clirun.h"

using namespace digitdesk;
using namespace digitdesk::testing;

// The command line end to end: help and usage, a workspace's life, errors, passwords, damage
// found, settings.
class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void helpAndUsage_data();
    void helpAndUsage();
    void endToEnd();
    void workspaceErrors();
    void passwordsNeverOnTheCommandLine();
    void checkReportsDamage();
    void settingsAreValidated();

private:
    QTemporaryDir m_dir;
    QString ws() const { return m_dir.filePath(QStringLiteral("ws")); }
};

void tst_Cli::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
}

void tst_Cli::helpAndUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    QTest::newRow("help") << QStringList{QStringLiteral("help")} << 0
                          << QStringLiteral("Exit codes");
    for (const char *command : {"workspace init", "workspace check", "workspace backup",
                                "users add", "users list", "users passwd", "users role",
                                "users disable", "import", "demo convert", "demo create", "info"}) {
        QStringList arguments = QString::fromLatin1(command).split(QLatin1Char(' '));
        QTest::newRow(qPrintable(QStringLiteral("%1 --help").arg(QString::fromLatin1(command))))
            << (arguments << QStringLiteral("--help")) << 0 << QStringLiteral("Usage: digitdesk");
    }
    QTest::newRow("unknown subcommand")
        << QStringList{QStringLiteral("users"), QStringLiteral("fly")} << 1
        << QStringLiteral("unknown subcommand 'fly'");
    QTest::newRow("missing argument")
        << QStringList{QStringLiteral("workspace"), QStringLiteral("init")} << 1
        << QStringLiteral("missing arguments");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("import"), QStringLiteral("--frobnicate"),
                       QStringLiteral("x")}
        << 1 << QStringLiteral("frobnicate");
    QTest::newRow("bad role") << QStringList{QStringLiteral("users"), QStringLiteral("add"),
                                             QStringLiteral("x"), QStringLiteral("--role"),
                                             QStringLiteral("king")}
                              << 1 << QStringLiteral("unknown role 'king'");
}

void tst_Cli::helpAndUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    const CliRun run = runDigitdesk(arguments);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2((run.out + run.err).contains(expected), qPrintable(run.out + run.err));
}

void tst_Cli::endToEnd()
{
    CliRun run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), ws()});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(storage::Workspace::looksLikeWorkspace(ws()));

    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("ana"),
                        QStringLiteral("--role"), QStringLiteral("annotator"),
                        QStringLiteral("--workspace"), ws()},
                       "first password\n");
    QCOMPARE(run.exitCode, 0);
    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("ana"),
                        QStringLiteral("--role"), QStringLiteral("annotator"),
                        QStringLiteral("--workspace"), ws()},
                       "first password\n");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("exists already")));

    run = runDigitdesk(
        {QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("ana")));
    QVERIFY(run.out.contains(QStringLiteral("annotator")));

    const QString oldHash = [&] {
        const auto workspace = storage::Workspace::open(ws());
        return storage::UserRepository(workspace->db())
            .findByName(QStringLiteral("ana"))
            ->passwordHash;
    }();
    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("passwd"), QStringLiteral("ana"),
                        QStringLiteral("--workspace"), ws()},
                       "second password\n");
    QCOMPARE(run.exitCode, 0);
    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("passwd"), QStringLiteral("ana"),
                        QStringLiteral("--workspace"), ws()},
                       "short\n");
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("too short")));
    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("role"), QStringLiteral("ana"),
                        QStringLiteral("reviewer"), QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 0);
    {
        const auto workspace = storage::Workspace::open(ws());
        const auto ana = storage::UserRepository(workspace->db()).findByName(QStringLiteral("ana"));
        QVERIFY(ana->passwordHash != oldHash);
        QCOMPARE(ana->role, QStringLiteral("reviewer"));
    }

    // Import: a folder of scans with one bad file, and the demo IDX pair.
    QVERIFY(
        testing::writeFile(m_dir.filePath(QStringLiteral("scans/a.png")),
                           testing::encodeRing(QStringLiteral("png"), 80, 80, 40, 40, 20, true)));
    QVERIFY(testing::writeFile(m_dir.filePath(QStringLiteral("scans/b.png")), "broken"));
    run = runDigitdesk({QStringLiteral("import"), m_dir.filePath(QStringLiteral("scans")),
                        QStringLiteral("--source"), QStringLiteral("counter 3"),
                        QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(QStringLiteral("Imported 1 image(s)")), qPrintable(run.out));
    QVERIFY2(run.err.contains(QStringLiteral("b.png: not a PNG, JPEG, BMP or TIFF image")),
             qPrintable(run.err));
    run = runDigitdesk({QStringLiteral("import"),
                        testing::demoDataFile(QStringLiteral("demo-incoming-images-idx3-ubyte")),
                        QStringLiteral("--labels"), QStringLiteral("approved"),
                        QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("Imported 2000 image(s)")), qPrintable(run.out));
    QVERIFY(run.err.contains(QStringLiteral("Importing: 2000 / 2000 (100%)")));
    {
        const auto workspace = storage::Workspace::open(ws());
        storage::ImageFilter approved;
        approved.status = storage::ImageStatus::Approved;
        QCOMPARE(storage::ImageRepository(workspace->db()).count(approved), 2000);
    }

    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                        QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral(": ok; 1 blob(s) verified")), qPrintable(run.out));

    // The whole workspace, not only its database: the copy opens and passes the check.
    const QString backup = m_dir.filePath(QStringLiteral("backup"));
    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("backup"), backup,
                        QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("1 scan(s)")), qPrintable(run.out));
    QVERIFY(QFile(QDir(backup).filePath(QStringLiteral("digitdesk.sqlite"))).size() > 1000000);
    QVERIFY(QFileInfo::exists(QDir(backup).filePath(QStringLiteral("dataset.git/HEAD"))));
    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                        QStringLiteral("--workspace"), backup});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral(": ok; 1 blob(s) verified")), qPrintable(run.out));
    // A repository without a version yet has only empty objects/ and refs/: copied too.
    run = runDigitdesk(
        {QStringLiteral("dataset"), QStringLiteral("log"), QStringLiteral("--workspace"), backup});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(QFileInfo(QDir(backup).filePath(QStringLiteral("dataset.git/refs/heads"))).isDir());
    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("backup"), backup,
                        QStringLiteral("--workspace"), ws()});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("not empty")), qPrintable(run.err));
}

void tst_Cli::workspaceErrors()
{
    CliRun run = runDigitdesk({QStringLiteral("users"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains(QStringLiteral("no workspace given")));
    run = runDigitdesk({QStringLiteral("users"), QStringLiteral("list"),
                        QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("nothing"))});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains(QStringLiteral("is not a folder")));
    QDir().mkpath(m_dir.filePath(QStringLiteral("plain")));
    run = runDigitdesk({QStringLiteral("import"), QStringLiteral("x"),
                        QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("plain"))});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(run.err.contains(QStringLiteral("is not a DigitDesk workspace")));
    testing::writeFile(m_dir.filePath(QStringLiteral("full/file")), "x");
    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"),
                        m_dir.filePath(QStringLiteral("full"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("not empty")));
}

void tst_Cli::passwordsNeverOnTheCommandLine()
{
    const QString folder = m_dir.filePath(QStringLiteral("pw"));
    QCOMPARE(runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), folder}).exitCode,
             0);
    const CliRun run = runDigitdesk(
        {QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("bob"),
         QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--password"),
         QStringLiteral("secret123"), QStringLiteral("--workspace"), folder});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("password")));
}

void tst_Cli::checkReportsDamage()
{
    const QString folder = m_dir.filePath(QStringLiteral("damaged"));
    QCOMPARE(runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), folder}).exitCode,
             0);
    QVERIFY(
        testing::writeFile(m_dir.filePath(QStringLiteral("one/a.png")),
                           testing::encodeRing(QStringLiteral("png"), 80, 80, 40, 40, 20, true)));
    QCOMPARE(runDigitdesk({QStringLiteral("import"), m_dir.filePath(QStringLiteral("one")),
                           QStringLiteral("--workspace"), folder})
                 .exitCode,
             0);
    QString blob;
    {
        const auto workspace = storage::Workspace::open(folder);
        blob = workspace->blobs().pathOf(
            storage::ImageRepository(workspace->db()).details(1)->originalSha256);
    }
    QFile file(blob);
    QVERIFY(file.open(QIODevice::Append));
    file.write("bit rot");
    file.close();
    const CliRun run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                                     QStringLiteral("--workspace"), folder});
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(QStringLiteral("content is damaged")), qPrintable(run.out));
}

void tst_Cli::settingsAreValidated()
{
    const QString folder = m_dir.filePath(QStringLiteral("settings"));
    QCOMPARE(runDigitdesk({QStringLiteral("workspace"), QStringLiteral("init"), folder}).exitCode,
             0);
    const QStringList at{QStringLiteral("--workspace"), folder};
    CliRun run =
        runDigitdesk(QStringList{QStringLiteral("settings"), QStringLiteral("set"),
                                 QStringLiteral("queue.gold_share"), QStringLiteral("0.1")} +
                     at);
    QCOMPARE(run.exitCode, 0);
    run = runDigitdesk(QStringList{QStringLiteral("settings"), QStringLiteral("set"),
                                   QStringLiteral("queue.overlap"), QStringLiteral("9")} +
                       at);
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("from 1 to 5")));
    run = runDigitdesk(QStringList{QStringLiteral("settings"), QStringLiteral("set"),
                                   QStringLiteral("no.such"), QStringLiteral("1")} +
                       at);
    QCOMPARE(run.exitCode, 1);
    run = runDigitdesk(QStringList{QStringLiteral("settings"), QStringLiteral("list")} + at);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("queue.gold_share = 0.1")), qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("queue.lease_seconds = 300")));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
