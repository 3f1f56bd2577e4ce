#include "storage/connection.h"
#include "storage/dialect.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "tests/support/postgrescluster.h"
#include "tests/support/servefixture.h"
#include "tests/support/testfiles.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <vector>

using namespace digitdesk;
using storage::Connection;

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

void exec(const Connection &connection, const QString &sql)
{
    storage::execStatement(connection.db(), sql, sql);
}

qint64 counterValue(const Connection &connection)
{
    storage::SqlQuery query(connection.db(),
                            QStringLiteral("SELECT value FROM counter WHERE id = 1"),
                            QStringLiteral("read the counter"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

// The child side: `count` transactions that each read the counter and write it back plus one.
int runIncrements(const QString &location, int count)
{
    try {
        const Connection connection(location);
        for (int i = 0; i < count; ++i) {
            storage::Transaction transaction(connection.db());
            const qint64 value = counterValue(connection);
            storage::SqlQuery write(
                connection.db(), QStringLiteral("UPDATE counter SET value = :value WHERE id = 1"),
                QStringLiteral("write the counter"));
            write.bind(QStringLiteral(":value"), value + 1).exec();
            transaction.commit();
        }
    } catch (const storage::StorageError &error) {
        qCritical("%s", qPrintable(error.message()));
        return 1;
    }
    return 0;
}

// Restores one environment variable when it goes.
class EnvironmentGuard final
{
public:
    explicit EnvironmentGuard(const char *name)
        : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_value(qgetenv(name))
    {}
    ~EnvironmentGuard()
    {
        if (m_had) {
            qputenv(m_name, m_value);
        } else {
            qunsetenv(m_name);
        }
    }
    EnvironmentGuard(const EnvironmentGuard &) = delete;
    EnvironmentGuard &operator=(const EnvironmentGuard &) = delete;

private:
    const char *m_name;
    bool m_had;
    QByteArray m_value;
};

} // namespace

class tst_Connection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensAndRuns_data() { engines(); }
    void opensAndRuns();
    void readOnlyRefusesWrites_data() { engines(); }
    void readOnlyRefusesWrites();
    void openErrorsNameTheDatabase();
    void passwordFileLogin();
    void busyLockIsRecognised_data() { engines(); }
    void busyLockIsRecognised();
    void lostConnectionIsRecognised();
    void writeLockSerialisesProcesses_data() { engines(); }
    void writeLockSerialisesProcesses();

private:
    void engines();
    // A fresh database of the row's engine: a file in its own folder, or a new database in
    // the cluster.
    QString freshLocation();

    QTemporaryDir m_dir;
    testing::PostgresCluster m_cluster;
    int m_databases = 0;
};

void tst_Connection::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
    m_cluster.exportPassword();
}

void tst_Connection::engines()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

QString tst_Connection::freshLocation()
{
    QFETCH(bool, postgres);
    const QString name = QStringLiteral("db%1").arg(++m_databases);
    if (!postgres) {
        return m_dir.filePath(name + QStringLiteral(".sqlite"));
    }
    const Connection maintenance(m_cluster.url());
    exec(maintenance, QStringLiteral("CREATE DATABASE %1").arg(name));
    return m_cluster.url(name);
}

void tst_Connection::opensAndRuns()
{
    QFETCH(bool, postgres);
    const Connection connection(freshLocation());
    QCOMPARE(storage::Dialect::of(connection.db()).engine(),
             postgres ? storage::Engine::PostgreSql : storage::Engine::Sqlite);
    exec(connection, QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"));
    {
        storage::Transaction transaction(connection.db());
        storage::SqlQuery insert(connection.db(),
                                 QStringLiteral("INSERT INTO notes (id, body) VALUES (:id, :body)"),
                                 QStringLiteral("add a note"));
        insert.bindAll({{QStringLiteral(":id"), 7}, {QStringLiteral(":body"), QStringLiteral("x")}})
            .exec();
        transaction.commit();
    }
    {
        // Rolled back by the guard: not committed.
        storage::Transaction transaction(connection.db());
        exec(connection, QStringLiteral("INSERT INTO notes (id, body) VALUES (8, 'y')"));
    }
    const QString ids =
        storage::Dialect::of(connection.db()).idsFromJsonArray(QStringLiteral(":ids"));
    storage::SqlQuery read(connection.db(),
                           QStringLiteral("SELECT id, body FROM notes WHERE id IN (%1)").arg(ids),
                           QStringLiteral("read the notes"));
    read.bind(QStringLiteral(":ids"), QStringLiteral("[7,8,9]")).exec();
    QVERIFY(read.next());
    QCOMPARE(read.value(0).toLongLong(), 7);
    QCOMPARE(read.value(1).toString(), QStringLiteral("x"));
    QVERIFY(!read.next());
}

void tst_Connection::readOnlyRefusesWrites()
{
    QFETCH(bool, postgres);
    const QString location = freshLocation();
    const Connection writer(location);
    exec(writer, QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY)"));
    exec(writer, QStringLiteral("INSERT INTO notes (id) VALUES (1)"));

    const Connection reader(location, Connection::Mode::ReadOnly);
    storage::SqlQuery count(reader.db(), QStringLiteral("SELECT COUNT(*) FROM notes"),
                            QStringLiteral("count the notes"));
    count.exec();
    QVERIFY(count.next());
    QCOMPARE(count.value(0).toInt(), 1);
    const QString message = errorOf([&] {
        storage::SqlQuery insert(reader.db(), QStringLiteral("INSERT INTO notes (id) VALUES (2)"),
                                 QStringLiteral("add a note"));
        insert.exec();
    });
    const QString reason = postgres ? QStringLiteral("read-only transaction")
                                    : QStringLiteral("attempt to write a readonly database");
    QVERIFY2(message.startsWith(QStringLiteral("cannot add a note: ")) && message.contains(reason),
             qPrintable(message));
    if (postgres) {
        // A reader takes the write lock like anyone (it writes nothing), and the write is refused.
        storage::Transaction transaction(reader.db());
        const QString inTransaction = errorOf([&] {
            storage::SqlQuery insert(reader.db(),
                                     QStringLiteral("INSERT INTO notes (id) VALUES (3)"),
                                     QStringLiteral("add a note"));
            insert.exec();
        });
        QVERIFY2(inTransaction.contains(reason), qPrintable(inTransaction));
    }
}

void tst_Connection::openErrorsNameTheDatabase()
{
    const QString password = m_cluster.password();
    const auto check = [&](const QString &location, const QString &shown, const QString &reason) {
        const QString message = errorOf([&] { Connection connection(location); });
        QVERIFY2(message.startsWith(QStringLiteral("cannot open database %1: ").arg(shown)),
                 qPrintable(message));
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY2(!message.contains(password), qPrintable(message));
    };
    check(m_cluster.url(QStringLiteral("nosuchdb")), m_cluster.url(QStringLiteral("nosuchdb")),
          QStringLiteral("\"nosuchdb\" does not exist"));
    const QString closed =
        QStringLiteral("postgresql://postgres@localhost:%1/dd").arg(testing::freePort());
    check(closed + QStringLiteral("?connect_timeout=5"),
          closed + QStringLiteral("?connect_timeout=5"), QStringLiteral("refused"));
    check(m_dir.filePath(QStringLiteral("no/such/folder/db.sqlite")),
          m_dir.filePath(QStringLiteral("no/such/folder/db.sqlite")),
          QStringLiteral("unable to open database file"));
    // A refused URL never reaches the driver.
    const QString refused = errorOf([&] {
        Connection connection(QStringLiteral("postgresql://postgres:%1@localhost/x").arg(password));
    });
    QVERIFY2(refused.contains(QStringLiteral("PGPASSWORD")) && !refused.contains(password),
             qPrintable(refused));
}

void tst_Connection::passwordFileLogin()
{
    {
        const Connection admin(m_cluster.url());
        exec(admin, QStringLiteral("CREATE ROLE annot LOGIN PASSWORD 'Annot-Pw-41'"));
    }
    const EnvironmentGuard keepPassword("PGPASSWORD");
    const EnvironmentGuard keepPasswordFile("PGPASSFILE");
    qunsetenv("PGPASSWORD");
    const QString passFile = m_dir.filePath(QStringLiteral("pgpass"));
    QVERIFY(testing::writeFile(passFile, QStringLiteral("%1:%2:%3:annot:Annot-Pw-41\n")
                                             .arg(m_cluster.host())
                                             .arg(m_cluster.port())
                                             .arg(m_cluster.maintenanceDatabase())
                                             .toUtf8()));
    QVERIFY(QFile::setPermissions(passFile, QFile::ReadOwner | QFile::WriteOwner));
    qputenv("PGPASSFILE", passFile.toLocal8Bit());

    const QString url = QStringLiteral("postgresql://annot@%1:%2/%3")
                            .arg(m_cluster.host())
                            .arg(m_cluster.port())
                            .arg(m_cluster.maintenanceDatabase());
    {
        const Connection connection(url);
        storage::SqlQuery who(connection.db(), QStringLiteral("SELECT current_user"),
                              QStringLiteral("ask who this is"));
        who.exec();
        QVERIFY(who.next());
        QCOMPARE(who.value(0).toString(), QStringLiteral("annot"));
    }
    // No password anywhere, then a wrong one: refused, and the wrong one never shown.
    qputenv("PGPASSFILE", m_dir.filePath(QStringLiteral("no-such-pgpass")).toLocal8Bit());
    QString message = errorOf([&] { Connection connection(url); });
    QVERIFY2(message.startsWith(QStringLiteral("cannot open database %1: ").arg(url)) &&
                 message.contains(QStringLiteral("no password supplied")),
             qPrintable(message));
    qputenv("PGPASSWORD", "Wrong-Pw-97");
    message = errorOf([&] { Connection connection(url); });
    QVERIFY2(message.contains(QStringLiteral("password authentication failed for user \"annot\"")),
             qPrintable(message));
    QVERIFY2(!message.contains(QStringLiteral("Wrong-Pw-97")), qPrintable(message));
}

void tst_Connection::busyLockIsRecognised()
{
    QFETCH(bool, postgres);
    const QString location = freshLocation();
    const Connection holder(location);
    const Connection waiter(location);
    exec(holder, QStringLiteral("CREATE TABLE counter (id INTEGER PRIMARY KEY, value BIGINT)"));
    exec(holder, QStringLiteral("INSERT INTO counter (id, value) VALUES (1, 0)"));
    // A short wait instead of the ten seconds of Connection::BusyTimeoutMs.
    exec(waiter, postgres ? QStringLiteral("SET lock_timeout = 100")
                          : QStringLiteral("PRAGMA busy_timeout = 100"));
    const storage::Dialect &dialect = storage::Dialect::of(waiter.db());

    storage::Transaction held(holder.db());
    exec(holder, QStringLiteral("UPDATE counter SET value = 1 WHERE id = 1"));
    const QString message = errorOf([&] { storage::Transaction transaction(waiter.db()); });
    QVERIFY2(message.contains(postgres ? QStringLiteral("lock timeout")
                                       : QStringLiteral("database is locked")),
             qPrintable(message));
    // The failed begin left no transaction behind: the waiter goes on as before.
    QCOMPARE(counterValue(waiter), 0);
    {
        QSqlQuery write(waiter.db());
        if (postgres) {
            QVERIFY(write.exec(QStringLiteral("BEGIN")));
        }
        QVERIFY(!write.exec(QStringLiteral("UPDATE counter SET value = 2 WHERE id = 1")));
        QVERIFY2(dialect.isBusy(write.lastError()), qPrintable(write.lastError().text()));
        QVERIFY(!dialect.isConnectionLost(write.lastError()));
        if (postgres) {
            QVERIFY(write.exec(QStringLiteral("ROLLBACK")));
        }
    }
    held.commit();
    QCOMPARE(counterValue(waiter), 1);
}

void tst_Connection::lostConnectionIsRecognised()
{
    const Connection admin(m_cluster.url());
    const Connection victim(m_cluster.url());
    const storage::Dialect &dialect = storage::Dialect::of(victim.db());
    QSqlQuery pid(victim.db());
    QVERIFY(pid.exec(QStringLiteral("SELECT pg_backend_pid()")) && pid.next());
    storage::SqlQuery terminate(admin.db(), QStringLiteral("SELECT pg_terminate_backend(:pid)"),
                                QStringLiteral("end the other connection"));
    terminate.bind(QStringLiteral(":pid"), pid.value(0)).exec();
    QSqlQuery after(victim.db());
    QVERIFY(!after.exec(QStringLiteral("SELECT 1")));
    QVERIFY2(dialect.isConnectionLost(after.lastError()), qPrintable(after.lastError().text()));
    QVERIFY(!dialect.isBusy(after.lastError()));
}

void tst_Connection::writeLockSerialisesProcesses()
{
    constexpr int Processes = 4;
    constexpr int Increments = 100;
    const QString location = freshLocation();
    const Connection connection(location);
    exec(connection, QStringLiteral("CREATE TABLE counter (id INTEGER PRIMARY KEY, value BIGINT)"));
    exec(connection, QStringLiteral("INSERT INTO counter (id, value) VALUES (1, 0)"));

    std::vector<std::unique_ptr<QProcess>> children;
    for (int i = 0; i < Processes; ++i) {
        auto child = std::make_unique<QProcess>();
        child->setProcessChannelMode(QProcess::ForwardedChannels);
        child->setProcessEnvironment(m_cluster.environment());
        child->start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--increment"), location, QString::number(Increments)});
        children.push_back(std::move(child));
    }
    for (const auto &child : children) {
        QVERIFY(child->waitForFinished(60000 * testing::SanitizerTimeFactor));
        QCOMPARE(child->exitStatus(), QProcess::NormalExit);
        QCOMPARE(child->exitCode(), 0);
    }
    // Every read-then-write saw the one before it: no increment was lost.
    QCOMPARE(counterValue(connection), qint64(Processes * Increments));
}

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (argc == 4 && QByteArray(argv[1]) == "--increment") {
        return runIncrements(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toInt());
    }
    tst_Connection test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_connection.moc"
