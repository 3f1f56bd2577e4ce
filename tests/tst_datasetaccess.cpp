#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/twelveimageversion.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <csignal>
#include <functional>
#include <map>
#include <set>
#include <tuple>

using namespace digitdesk;
using namespace digitdesk::testing;
using annotation::DatasetService;
using annotation::Principal;
using annotation::Role;

// Who may do what with dataset versions, through the services and the command line, and a
// model trained on a version recording its commit.
class tst_DatasetAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void permissions_data();
    void permissions();
    void cli_data();
    void cli();
    void trainingOnAVersionRecordsItsCommit();

private:
    std::unique_ptr<testing::TwelveImageWorkspace> m_shared; // for the tables
};

void tst_DatasetAccess::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_shared = std::make_unique<testing::TwelveImageWorkspace>();
}

void tst_DatasetAccess::permissions_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("allowedRoles"); // A annotator, R reviewer, M ml_engineer, D admin
    for (const auto &[operation, roles] :
         std::vector<std::pair<const char *, const char *>>{{"versions", "RMD"},
                                                            {"rows", "RMD"},
                                                            {"diff", "RMD"},
                                                            {"verify", "RMD"},
                                                            {"commit", "RMD"},
                                                            {"export", "MD"},
                                                            {"push", "MD"},
                                                            {"pull", "MD"},
                                                            {"import", "MD"},
                                                            {"trainingFiles", "MD"}}) {
        QTest::newRow(operation) << QString::fromLatin1(operation) << QString::fromLatin1(roles);
    }
}

void tst_DatasetAccess::permissions()
{
    QFETCH(QString, operation);
    QFETCH(QString, allowedRoles);
    DatasetService datasets(m_shared->workspace->db(), m_shared->workspace->root());
    const QString v1 = QStringLiteral("v1");
    const QString folder = m_shared->dir.filePath(QStringLiteral("permissions-") + operation);
    const auto call = [&](const Principal &p) {
        if (operation == QStringLiteral("versions")) {
            datasets.versions(p);
        } else if (operation == QStringLiteral("rows")) {
            datasets.rows(p, v1);
        } else if (operation == QStringLiteral("diff")) {
            datasets.diff(p, v1, v1);
        } else if (operation == QStringLiteral("verify")) {
            datasets.verify(p, v1);
        } else if (operation == QStringLiteral("commit")) {
            datasets.commit(p, QStringLiteral("nothing new"));
        } else if (operation == QStringLiteral("export")) {
            datasets.exportVersion(p, v1, annotation::ExportFormat::Idx, folder + p.name);
        } else if (operation == QStringLiteral("push")) {
            datasets.push(p, folder, true);
        } else if (operation == QStringLiteral("pull")) {
            datasets.pull(p, folder);
        } else if (operation == QStringLiteral("import")) {
            datasets.importVersion(p, v1);
        } else {
            datasets.trainingFiles(p, v1, folder + p.name);
        }
    };
    const std::vector<std::pair<QChar, Principal>> people = {
        {QLatin1Char('A'), m_shared->people.annotator},
        {QLatin1Char('R'), m_shared->people.reviewer},
        {QLatin1Char('M'), m_shared->people.engineer},
        {QLatin1Char('D'), m_shared->people.admin}};
    for (const auto &[letter, who] : people) {
        const bool denied = testing::throws<annotation::PermissionDenied>([&] { call(who); });
        QVERIFY2(denied != allowedRoles.contains(letter),
                 qPrintable(QStringLiteral("%1 by %2").arg(operation, who.name)));
    }
    QVERIFY(fsckProblems(m_shared->workspace->datasetRepositoryPath()).isEmpty());
}

void tst_DatasetAccess::cli_data()
{
    QTest::addColumn<QStringList>("arguments"); // WS stands for the shared workspace
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    for (const char *sub :
         {"commit", "log", "show", "diff", "export", "verify", "push", "pull", "import"}) {
        const QString command = QStringLiteral("dataset %1").arg(QLatin1String(sub));
        QTest::newRow(qPrintable(command))
            << (command + QStringLiteral(" --help")).split(QLatin1Char(' ')) << 0
            << QStringLiteral("Usage: digitdesk ") + command;
    }
    const std::vector<std::tuple<const char *, const char *, int, const char *>> rows = {
        {"no subcommand", "dataset", 1, "missing subcommand"},
        {"unknown subcommand", "dataset fly", 1, "unknown subcommand 'fly'"},
        {"commit without -m", "dataset commit --workspace WS", 1, "-m MESSAGE is required"},
        {"bad format", "dataset export v1 --format tiff out --workspace WS", 1, "--format"},
        {"no workspace", "dataset log --workspace /nonexistent/ws", 4, "digitdesk:"},
        {"unknown version", "dataset show v9 --workspace WS", 2,
         "there is no dataset version 'v9'"},
        {"workspace before the command", "--workspace WS dataset log", 0, "twelve images"},
        {"workspace before the subcommand", "dataset --workspace WS show v1", 0, "x:1"},
        {"verify one", "dataset verify v1 --workspace WS", 0, "v1 is intact"},
    };
    for (const auto &[name, arguments, exitCode, expected] : rows) {
        QTest::newRow(name) << words(arguments) << exitCode << QString::fromUtf8(expected);
    }
}

void tst_DatasetAccess::cli()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    arguments.replaceInStrings(QRegularExpression(QStringLiteral("^WS$")), m_shared->folder());
    const testing::CliRun run = runDigitdesk(arguments);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2((run.out + run.err).contains(expected), qPrintable(run.out + run.err));
}

void tst_DatasetAccess::trainingOnAVersionRecordsItsCommit()
{
    testing::TempWorkspace temp;
    const storage::Workspace &workspace = *temp.workspace;
    testing::addApprovedImages(workspace, 0, 300);
    const auto v1 = DatasetService(workspace.db(), workspace.root())
                        .commit(Principal::localOperator(), QStringLiteral("for training"));
    // The live tables move on after the commit; training on v1 must not see it.
    testing::addApprovedImages(workspace, 1000, 50);
    testing::CliRun run = runDigitdeskOn(temp.folder(), "train --dataset v1 --epochs 1 --batch 64");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    storage::SqlQuery query(
        workspace.db(), QStringLiteral("SELECT id, dataset_commit FROM models ORDER BY id DESC"),
        QStringLiteral("read the model"));
    query.exec();
    QVERIFY(query.next());
    const QString modelId = query.value(0).toString();
    QCOMPARE(query.value(1).toString(), v1.commitId);
    run = runDigitdeskOn(temp.folder(), "models show", {modelId});
    QVERIFY2(run.out.contains(QStringLiteral("v1 (commit %1)").arg(v1.commitId)),
             qPrintable(run.out));
    run = runDigitdeskOn(temp.folder(), "dataset show v1");
    QVERIFY2(run.out.contains(modelId), qPrintable(run.out));
    // Neither flag, or both, is a usage error.
    QCOMPARE(runDigitdeskOn(temp.folder(), "train --epochs 1").exitCode, 1);
}

QTEST_GUILESS_MAIN(tst_DatasetAccess)
#include "tst_datasetaccess.moc"
