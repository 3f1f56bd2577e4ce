#include "storage/connection.h"
#include "storage/migrations.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "tests/support/postgrescluster.h"
#include "tests/support/schemafacts.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace digitdesk;
using namespace digitdesk::testing;
using storage::Connection;

// A fresh SQLite workspace database and a fresh PostgreSQL one, both built by Migrations, must
// have the same schema: PostgreSQL's hand-written baseline (migrations/postgresql/) is checked
// here against the 13 SQLite files fact by fact, each fact one line in the same words for both.
class tst_SchemaParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tablesAndColumns();
    void idsAreNumberedOnPostgresql();
    void keysAndIndexes();
    void foreignKeys();
    void triggers();
    void recordedVersionsAndSeedRows();
    void appendOnlyTablesRefuseAlike_data();
    void appendOnlyTablesRefuseAlike();
    void applyingAgainChangesNothing();
    void newerSchemaIsRefusedAlike();
    void postgresqlBelowItsBaselineIsRefused();
    void failedBaselineLeavesNothing();

private:
    // A new empty database in the cluster, and its URL.
    QString freshPostgresql();
    QString freshSqlite();

    QTemporaryDir m_dir;
    testing::PostgresCluster m_cluster;
    int m_databases = 0;
    std::unique_ptr<Connection> m_sqlite;
    std::unique_ptr<Connection> m_postgresql;
};

namespace {

QString errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const storage::StorageError &error) {
        return error.message();
    }
    return {};
}

} // namespace

void tst_SchemaParity::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
    m_cluster.exportPassword();
    m_sqlite = std::make_unique<Connection>(freshSqlite());
    m_postgresql = std::make_unique<Connection>(freshPostgresql());
    storage::Migrations::apply(m_sqlite->db());
    storage::Migrations::apply(m_postgresql->db());
}

QString tst_SchemaParity::freshPostgresql()
{
    const QString name = QStringLiteral("db%1").arg(++m_databases);
    const Connection maintenance(m_cluster.url());
    storage::execStatement(maintenance.db(), QStringLiteral("CREATE DATABASE %1").arg(name),
                           QStringLiteral("create a database"));
    return m_cluster.url(name);
}

QString tst_SchemaParity::freshSqlite()
{
    return m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_databases));
}

void tst_SchemaParity::tablesAndColumns()
{
    compareFacts(sqliteTables(m_sqlite->db()),
                 column(rows(m_postgresql->db(),
                             QStringLiteral("SELECT table_name FROM information_schema.tables"
                                            " WHERE table_schema = 'public'"))));
    compareFacts(sqliteColumns(m_sqlite->db()), postgresqlColumns(m_postgresql->db()));
}

void tst_SchemaParity::idsAreNumberedOnPostgresql()
{
    // SQLite numbers every `id INTEGER PRIMARY KEY`; inbox_status holds one row whose id is
    // always given (1).
    QStringList sqlite;
    for (const QString &table : sqliteTables(m_sqlite->db())) {
        const Rows key = rows(m_sqlite->db(),
                              QStringLiteral("SELECT name, type FROM pragma_table_info(:table)"
                                             " WHERE pk > 0"),
                              {{QStringLiteral(":table"), table}});
        if (key == Rows{{QStringLiteral("id"), QStringLiteral("INTEGER")}} &&
            table != QStringLiteral("inbox_status")) {
            sqlite << table + QStringLiteral(".id");
        }
    }
    QCOMPARE(sqlite.size(), 16);
    compareFacts(sqlite, column(rows(m_postgresql->db(),
                                     QStringLiteral("SELECT table_name || '.' || column_name"
                                                    " FROM information_schema.columns"
                                                    " WHERE table_schema = 'public'"
                                                    " AND is_identity = 'YES'"))));
}

void tst_SchemaParity::keysAndIndexes()
{
    compareFacts(sqliteKeysAndIndexes(m_sqlite->db()),
                 postgresqlKeysAndIndexes(m_postgresql->db()));
}

void tst_SchemaParity::foreignKeys()
{
    compareFacts(sqliteForeignKeys(m_sqlite->db()), postgresqlForeignKeys(m_postgresql->db()));
}

void tst_SchemaParity::triggers()
{
    compareFacts(sqliteTriggers(m_sqlite->db()), postgresqlTriggers(m_postgresql->db()));
}

void tst_SchemaParity::recordedVersionsAndSeedRows()
{
    for (const QString &sql :
         {QStringLiteral("SELECT CAST(version AS TEXT) || ': ' || description"
                         " FROM schema_migrations"),
          QStringLiteral("SELECT name || ' ' || CAST(rank AS TEXT) || ': ' || description"
                         " FROM roles"),
          QStringLiteral("SELECT key || ' = ' || value FROM settings")}) {
        const QStringList sqlite = column(rows(m_sqlite->db(), sql));
        const QStringList postgresql = column(rows(m_postgresql->db(), sql));
        QCOMPARE(QSet<QString>(postgresql.begin(), postgresql.end()),
                 QSet<QString>(sqlite.begin(), sqlite.end()));
        QCOMPARE(postgresql.size(), sqlite.size());
    }
    QCOMPARE(storage::Migrations::currentVersion(m_postgresql->db()),
             storage::Migrations::latestVersion());
}

void tst_SchemaParity::appendOnlyTablesRefuseAlike_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("message");
    QTest::newRow("audit_log update") << QStringLiteral("UPDATE audit_log SET outcome = 'forged'")
                                      << QStringLiteral("audit_log is append-only");
    QTest::newRow("audit_log delete")
        << QStringLiteral("DELETE FROM audit_log") << QStringLiteral("audit_log is append-only");
    QTest::newRow("models delete")
        << QStringLiteral("DELETE FROM models") << QStringLiteral("models are never deleted");
}

void tst_SchemaParity::appendOnlyTablesRefuseAlike()
{
    QFETCH(QString, change);
    QFETCH(QString, message);
    for (const Connection *connection : {m_sqlite.get(), m_postgresql.get()}) {
        const QSqlDatabase db = connection->db();
        if (rows(db, QStringLiteral("SELECT id FROM audit_log")).isEmpty()) {
            storage::execStatement(
                db,
                QStringLiteral("INSERT INTO audit_log (at, actor, action, outcome)"
                               " VALUES ('2026-11-30T22:00:00.000Z', 'ann', 'login', 'ok')"),
                QStringLiteral("add an audit row"));
            storage::execStatement(
                db,
                QStringLiteral(
                    "INSERT INTO models (architecture, created_at, created_by,"
                    " source_digest, file_path, file_sha256, temperature) VALUES"
                    " ('cnn', '2026-11-30T22:00:00.000Z', 'eve', 'd', 'm.pt', 's', 1.5)"),
                QStringLiteral("add a model"));
        }
        const QString error = errorOf([&] {
            storage::SqlQuery query(db, change, QStringLiteral("tamper"));
            query.exec();
        });
        QVERIFY2(error.startsWith(QStringLiteral("cannot tamper: ")) && error.contains(message),
                 qPrintable(connection->databasePath() + QStringLiteral(": ") + error));
        QCOMPARE(rows(db, QStringLiteral("SELECT outcome FROM audit_log")),
                 Rows{{QStringLiteral("ok")}});
        QCOMPARE(rows(db, QStringLiteral("SELECT COUNT(*) FROM models")),
                 Rows{{QStringLiteral("1")}});
    }
}

void tst_SchemaParity::applyingAgainChangesNothing()
{
    for (const Connection *connection : {m_sqlite.get(), m_postgresql.get()}) {
        const QString sql = QStringLiteral("SELECT CAST(version AS TEXT) || ' ' || applied_at"
                                           " FROM schema_migrations ORDER BY version");
        const Rows before = rows(connection->db(), sql);
        // As a second process opening the workspace would.
        const Connection again(connection->databasePath());
        storage::Migrations::apply(again.db());
        QCOMPARE(rows(connection->db(), sql), before);
        QCOMPARE(before.size(), storage::Migrations::latestVersion());
    }
}

void tst_SchemaParity::newerSchemaIsRefusedAlike()
{
    QStringList messages;
    for (const QString &location : {freshSqlite(), freshPostgresql()}) {
        const Connection connection(location);
        storage::Migrations::apply(connection.db());
        storage::SqlQuery future(connection.db(),
                                 QStringLiteral("INSERT INTO schema_migrations (version,"
                                                " description, applied_at)"
                                                " VALUES (99, 'from the future', 'now')"),
                                 QStringLiteral("fake a newer schema"));
        future.exec();
        try {
            storage::Migrations::apply(connection.db());
            QFAIL("a newer schema was accepted");
        } catch (const storage::WorkspaceRefused &error) {
            QVERIFY2(error.message().contains(location), qPrintable(error.message()));
            messages << error.message().replace(location, QStringLiteral("<database>"));
        }
    }
    QCOMPARE(messages.at(1), messages.at(0));
    QCOMPARE(messages.at(0),
             QStringLiteral("the workspace database <database> has schema version 99, newer than "
                            "the %1 this DigitDesk knows; open it with a newer DigitDesk")
                 .arg(storage::Migrations::latestVersion()));
}

void tst_SchemaParity::postgresqlBelowItsBaselineIsRefused()
{
    const QString location = freshPostgresql();
    const Connection connection(location);
    QVERIFY(errorOf([&] {
                storage::Migrations::apply(connection.db(), 8);
            }).contains(QStringLiteral("on PostgreSQL the schema starts at version 13")));
    QCOMPARE(storage::Migrations::currentVersion(connection.db()), 0);

    storage::execStatement(connection.db(),
                           QStringLiteral("CREATE TABLE schema_migrations (version INTEGER PRIMARY"
                                          " KEY, description TEXT NOT NULL, applied_at TEXT NOT"
                                          " NULL)"),
                           QStringLiteral("make a schema table"));
    storage::execStatement(connection.db(),
                           QStringLiteral("INSERT INTO schema_migrations VALUES (5, 'x', 'now')"),
                           QStringLiteral("fake version 5"));
    try {
        storage::Migrations::apply(connection.db());
        QFAIL("a PostgreSQL database at version 5 was accepted");
    } catch (const storage::WorkspaceRefused &error) {
        QCOMPARE(error.message(),
                 QStringLiteral("the workspace database %1 has schema version 5, which DigitDesk "
                                "never makes on PostgreSQL (its PostgreSQL schema starts at "
                                "version 13); it was not made by DigitDesk, or changed by hand")
                     .arg(location));
    }
}

void tst_SchemaParity::failedBaselineLeavesNothing()
{
    const Connection connection(freshPostgresql());
    storage::execStatement(connection.db(), QStringLiteral("CREATE TABLE images (x INTEGER)"),
                           QStringLiteral("make a table in the way"));
    const QString error = errorOf([&] { storage::Migrations::apply(connection.db()); });
    QVERIFY2(error.startsWith(QStringLiteral("cannot apply migration 13 (")) &&
                 error.contains(QStringLiteral("\"images\" already exists")),
             qPrintable(error));
    // One transaction: the tables made before the failure are gone again.
    QCOMPARE(column(rows(connection.db(),
                         QStringLiteral("SELECT table_name FROM information_schema.tables"
                                        " WHERE table_schema = 'public'"))),
             QStringList{QStringLiteral("images")});
    QCOMPARE(storage::Migrations::currentVersion(connection.db()), 0);
}

QTEST_GUILESS_MAIN(tst_SchemaParity)
#include "tst_schemaparity.moc"
