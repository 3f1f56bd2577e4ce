#include "storage/connection.h"
#include "storage/migrations.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <sys/stat.h>

using namespace digitdesk;

class tst_Migrations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshWorkspaceHasLatestSchema();
    void upgradeKeepsData();
    void newerSchemaIsRefused();
    void notAWorkspaceIsRefused();
    void failedTransactionRollsBack();
    void walAndForeignKeysAreOn();
    void newWorkspaceIsPrivateToItsOwner();
};

void tst_Migrations::freshWorkspaceHasLatestSchema()
{
    testing::TempWorkspace temp;
    QCOMPARE(storage::Migrations::currentVersion(temp.workspace->db()),
             storage::Migrations::latestVersion());
    for (const char *table : {"users", "roles", "login_sessions", "images", "predictions", "labels",
                              "reviews", "audit_log", "settings"}) {
        QVERIFY2(temp.workspace->db().tables().contains(QString::fromLatin1(table)), table);
    }
    QVERIFY(QDir(temp.workspace->datasetRepositoryPath()).exists(QStringLiteral("HEAD")));
    QVERIFY(QDir(temp.workspace->root()).exists(QStringLiteral("blobs")));
    QVERIFY(QDir(temp.workspace->root()).exists(QStringLiteral("models")));
    QVERIFY(QDir(temp.workspace->root()).exists(QStringLiteral("logs")));
}

void tst_Migrations::upgradeKeepsData()
{
    if (testing::testsUsePostgresql()) {
        QSKIP("a PostgreSQL workspace starts at the version-13 baseline; no older one exists");
    }
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("digitdesk.sqlite"));
    {
        const storage::Connection connection(path);
        storage::Migrations::apply(connection.db(), 1);
        QCOMPARE(storage::Migrations::currentVersion(connection.db()), 1);
        QVERIFY(!connection.db().tables().contains(QStringLiteral("images")));
        storage::UserRepository(connection.db())
            .add(QStringLiteral("old"), QStringLiteral("hash"), QStringLiteral("admin"),
                 QStringLiteral("test"));
    }
    const auto workspace = storage::Workspace::open(dir.path());
    QCOMPARE(storage::Migrations::currentVersion(workspace->db()),
             storage::Migrations::latestVersion());
    QVERIFY(workspace->db().tables().contains(QStringLiteral("images")));
    QVERIFY(storage::UserRepository(workspace->db()).findByName(QStringLiteral("old")).has_value());
}

void tst_Migrations::newerSchemaIsRefused()
{
    testing::TempWorkspace temp;
    const QString folder = temp.workspace->root();
    storage::SqlQuery future(temp.workspace->db(),
                             QStringLiteral("INSERT INTO schema_migrations (version, description,"
                                            " applied_at) VALUES (:v, 'from the future', 'now')"),
                             QStringLiteral("fake a newer schema"));
    future.bind(QStringLiteral(":v"), storage::Migrations::latestVersion() + 1);
    future.exec();
    temp.workspace.reset();
    try {
        storage::Workspace::open(folder);
        QFAIL("a newer schema was opened");
    } catch (const storage::WorkspaceRefused &error) {
        QVERIFY2(error.message().contains(QStringLiteral("newer")), qPrintable(error.message()));
        QVERIFY(
            error.message().contains(QString::number(storage::Migrations::latestVersion() + 1)));
    }
}

void tst_Migrations::notAWorkspaceIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(
        testing::throws<storage::WorkspaceRefused>([&] { storage::Workspace::open(dir.path()); }));
    QVERIFY(testing::throws<storage::WorkspaceRefused>(
        [&] { storage::Workspace::open(dir.filePath(QStringLiteral("missing"))); }));
    testing::writeFile(dir.filePath(QStringLiteral("file")), "x");
    QVERIFY(
        testing::throws<storage::StorageError>([&] { storage::Workspace::create(dir.path()); }));
}

void tst_Migrations::failedTransactionRollsBack()
{
    testing::TempWorkspace temp;
    storage::UserRepository users(temp.workspace->db());
    try {
        storage::Transaction transaction(temp.workspace->db());
        users.add(QStringLiteral("first"), QStringLiteral("h"), QStringLiteral("admin"),
                  QStringLiteral("test"));
        // A role that does not exist breaks the foreign key: the whole transaction must go.
        users.add(QStringLiteral("second"), QStringLiteral("h"), QStringLiteral("no_such_role"),
                  QStringLiteral("test"));
        transaction.commit();
        QFAIL("the foreign key was not enforced");
    } catch (const storage::StorageError &) {
    }
    QCOMPARE(users.count(), 0);
    // The connection is usable afterwards.
    users.add(QStringLiteral("third"), QStringLiteral("h"), QStringLiteral("admin"),
              QStringLiteral("test"));
    QCOMPARE(users.count(), 1);
}

void tst_Migrations::walAndForeignKeysAreOn()
{
    testing::TempWorkspace temp;
    if (testing::testsUsePostgresql()) {
        // The busy timeout's counterpart; foreign keys and durability are the server's own.
        storage::SqlQuery timeout(temp.workspace->db(),
                                  QStringLiteral("SELECT current_setting('lock_timeout')"),
                                  QStringLiteral("read the lock timeout"));
        timeout.exec();
        QVERIFY(timeout.next());
        QCOMPARE(timeout.value(0).toString(), QStringLiteral("10s"));
        return;
    }
    storage::SqlQuery mode(temp.workspace->db(), QStringLiteral("PRAGMA journal_mode"),
                           QStringLiteral("read the journal mode"));
    mode.exec();
    QVERIFY(mode.next());
    QCOMPARE(mode.value(0).toString(), QStringLiteral("wal"));
    storage::SqlQuery keys(temp.workspace->db(), QStringLiteral("PRAGMA foreign_keys"),
                           QStringLiteral("read foreign keys"));
    keys.exec();
    QVERIFY(keys.next());
    QCOMPARE(keys.value(0).toInt(), 1);
}

void tst_Migrations::newWorkspaceIsPrivateToItsOwner()
{
    const mode_t previous = ::umask(0022); // the usual default: files readable by everyone
    testing::TempWorkspace temp;
    ::umask(previous);
    const QFileDevice::Permissions permissions = QFileInfo(temp.folder()).permissions();
    QCOMPARE(permissions &
                 (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QCOMPARE(permissions & (QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                            QFileDevice::ReadOther | QFileDevice::ExeOther),
             QFileDevice::Permissions());
}

QTEST_GUILESS_MAIN(tst_Migrations)
#include "tst_migrations.moc"
