#include "storage/connection.h"
#include "storage/migrations.h"
#include "storage/sqlquery.h"
#include "storage/sqlscript.h"
#include "storage/storageerror.h"
#include "storage/workspace.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace digitdesk;

// The migrations as .sql files must build the schema the C++ string lists built, byte for byte:
// tests/fixtures/schema-v13.txt was dumped from a fresh workspace of the binary before the change.
class tst_MigrationScripts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshWorkspaceHasTheSchemaOfVersion13();
    void upgradeEndsInTheSameSchema_data();
    void upgradeEndsInTheSameSchema();
    void splitsStatements_data();
    void splitsStatements();
    void unfinishedScriptsAreRefused_data();
    void unfinishedScriptsAreRefused();
};

namespace {

// sqlite_master, the roles and the recorded migrations, one line each, as the fixture holds them.
QStringList schemaDump(const QSqlDatabase &db)
{
    QStringList lines;
    const auto add = [&](const QString &sql) {
        storage::SqlQuery query(db, sql, QStringLiteral("dump the schema"));
        query.exec();
        while (query.next()) {
            lines.append(query.value(0).toString());
        }
    };
    add(QStringLiteral("SELECT type || ' ' || name || ' on ' || tbl_name || ': ' ||"
                       " COALESCE(sql, '') FROM sqlite_master ORDER BY type, name"));
    add(QStringLiteral("SELECT 'role ' || name || ' ' || rank || ': ' || description FROM roles"
                       " ORDER BY rank"));
    add(QStringLiteral("SELECT 'migration ' || version || ': ' || description"
                       " FROM schema_migrations ORDER BY version"));
    add(QStringLiteral("SELECT 'setting ' || key || ' = ' || value FROM settings ORDER BY key"));
    return lines;
}

QStringList schemaOfVersion13()
{
    QFile file(testing::fixtureScript(QStringLiteral("schema-v13.txt")));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void compareDumps(const QStringList &actual, const QStringList &expected)
{
    QVERIFY(!expected.isEmpty());
    for (qsizetype i = 0; i < std::min(actual.size(), expected.size()); ++i) {
        QCOMPARE(actual.at(i), expected.at(i));
    }
    QCOMPARE(actual.size(), expected.size());
}

} // namespace

void tst_MigrationScripts::freshWorkspaceHasTheSchemaOfVersion13()
{
    testing::TempWorkspace temp;
    compareDumps(schemaDump(temp.workspace->db()), schemaOfVersion13());
}

void tst_MigrationScripts::upgradeEndsInTheSameSchema_data()
{
    QTest::addColumn<int>("from");
    for (int version = 1; version < storage::Migrations::latestVersion(); ++version) {
        QTest::addRow("from %d", version) << version;
    }
}

void tst_MigrationScripts::upgradeEndsInTheSameSchema()
{
    QFETCH(int, from);
    QTemporaryDir dir;
    {
        const storage::Connection connection(dir.filePath(QStringLiteral("digitdesk.sqlite")));
        storage::Migrations::apply(connection.db(), from);
        QCOMPARE(storage::Migrations::currentVersion(connection.db()), from);
    }
    const auto workspace = storage::Workspace::open(dir.path());
    compareDumps(schemaDump(workspace->db()), schemaOfVersion13());
}

void tst_MigrationScripts::splitsStatements_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("statements");
    QTest::newRow("description and comments go")
        << QStringLiteral("-- what it does\n\n-- why\nCREATE TABLE t (id INTEGER);\n")
        << QStringList{QStringLiteral("CREATE TABLE t (id INTEGER)")};
    QTest::newRow("indented lines keep their spaces")
        << QStringLiteral("CREATE TABLE t (\n id INTEGER,\n s TEXT\n   CHECK (s <> ''));\n")
        << QStringList{QStringLiteral("CREATE TABLE t ( id INTEGER, s TEXT   CHECK (s <> ''))")};
    QTest::newRow("a line at the margin gets one space")
        << QStringLiteral("SELECT 1\nFROM t;\nSELECT 2;")
        << QStringList{QStringLiteral("SELECT 1 FROM t"), QStringLiteral("SELECT 2")};
    QTest::newRow("trailing comment and the spaces before it")
        << QStringLiteral("CREATE TABLE t (\n a INTEGER,   -- it's a comment; really\n b TEXT);")
        << QStringList{QStringLiteral("CREATE TABLE t ( a INTEGER, b TEXT)")};
    QTest::newRow("quotes hide -- and ;")
        << QStringLiteral("INSERT INTO t VALUES ('a -- b; c', 'it''s');")
        << QStringList{QStringLiteral("INSERT INTO t VALUES ('a -- b; c', 'it''s')")};
    QTest::newRow("a quoted string over two lines")
        << QStringLiteral("INSERT INTO t VALUES ('one;\n two');")
        << QStringList{QStringLiteral("INSERT INTO t VALUES ('one; two')")};
    QTest::newRow("a trigger ends at END;")
        << QStringLiteral("CREATE TRIGGER t_no_delete BEFORE DELETE ON t\nBEGIN\n SELECT "
                          "RAISE(ABORT, 'no');\nEND;\nCREATE INDEX i ON t(a);")
        << QStringList{QStringLiteral("CREATE TRIGGER t_no_delete BEFORE DELETE ON t BEGIN SELECT "
                                      "RAISE(ABORT, 'no'); END"),
                       QStringLiteral("CREATE INDEX i ON t(a)")};
    QTest::newRow("a PostgreSQL trigger ends at its ;")
        << QStringLiteral("CREATE TRIGGER t_no_delete BEFORE DELETE ON t\n FOR EACH ROW EXECUTE "
                          "FUNCTION refuse('t is append-only');\nCREATE INDEX i ON t(a);")
        << QStringList{QStringLiteral("CREATE TRIGGER t_no_delete BEFORE DELETE ON t FOR EACH ROW "
                                      "EXECUTE FUNCTION refuse('t is append-only')"),
                       QStringLiteral("CREATE INDEX i ON t(a)")};
    QTest::newRow("a $$ body is kept line for line")
        << QStringLiteral("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
                          "-- it's; not the end\n  RAISE EXCEPTION 'x;';\nEND;\n$$;\nSELECT 1;")
        << QStringList{QStringLiteral("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
                                      "$$\nBEGIN\n  -- it's; not the end\n  RAISE EXCEPTION "
                                      "'x;';\nEND;\n$$"),
                       QStringLiteral("SELECT 1")};
    QTest::newRow("a tagged body ends only at its tag")
        << QStringLiteral("DO $body$ SELECT '$$'; -- $x$\n$body$; -- done\nSELECT 2;")
        << QStringList{QStringLiteral("DO $body$ SELECT '$$'; -- $x$\n$body$"),
                       QStringLiteral("SELECT 2")};
    QTest::newRow("$1 is a parameter, not a quote")
        << QStringLiteral("SELECT $1;\nSELECT $2$;")
        << QStringList{QStringLiteral("SELECT $1"), QStringLiteral("SELECT $2$")};
    QTest::newRow("dollars in a string or a comment open nothing")
        << QStringLiteral("INSERT INTO t VALUES ('costs $5 or $$');\nSELECT 1; -- $$ no body\n"
                          "SELECT 2;")
        << QStringList{QStringLiteral("INSERT INTO t VALUES ('costs $5 or $$')"),
                       QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")};
}

void tst_MigrationScripts::splitsStatements()
{
    QFETCH(QString, script);
    QFETCH(QStringList, statements);
    QCOMPARE(storage::splitSqlScript(script, QStringLiteral("test.sql")), statements);
}

void tst_MigrationScripts::unfinishedScriptsAreRefused_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("message");
    QTest::newRow("no semicolon")
        << QStringLiteral("-- d\nCREATE TABLE a (x INTEGER);\n\nCREATE TABLE b (x INTEGER)\n")
        << QStringLiteral(
               "test.sql: the statement at line 4 does not end with ';' (a trigger with 'END;')");
    QTest::newRow("open quote") << QStringLiteral("INSERT INTO t VALUES ('x);\n")
                                << QStringLiteral("test.sql: a quoted string opened in the "
                                                  "statement at line 1 is never closed");
    QTest::newRow("trigger without END")
        << QStringLiteral("CREATE TRIGGER t BEFORE DELETE ON t BEGIN SELECT 1;\n")
        << QStringLiteral(
               "test.sql: the statement at line 1 does not end with ';' (a trigger with 'END;')");
    QTest::newRow("open body")
        << QStringLiteral("-- d\nCREATE FUNCTION f() AS $fn$\nBEGIN;\n$$;\n")
        << QStringLiteral(
               "test.sql: the body opened with $fn$ in the statement at line 2 is never closed "
               "with $fn$");
}

void tst_MigrationScripts::unfinishedScriptsAreRefused()
{
    QFETCH(QString, script);
    QFETCH(QString, message);
    try {
        storage::splitSqlScript(script, QStringLiteral("test.sql"));
        QFAIL("an unfinished script was split");
    } catch (const storage::StorageError &error) {
        QCOMPARE(error.message(), message);
    }
}

QTEST_GUILESS_MAIN(tst_MigrationScripts)
#include "tst_migrationscripts.moc"
