#include "storage/databaselocation.h"
#include "storage/storageerror.h"

#include <QSqlDatabase>
#include <QTest>

using namespace digitdesk;
using storage::DatabaseLocation;
using storage::Engine;

namespace {

// The message parse() refuses `location` with, or empty when it accepts it.
QString refusalOf(const QString &location)
{
    try {
        DatabaseLocation::parse(location);
    } catch (const storage::StorageError &error) {
        return error.message();
    }
    return {};
}

} // namespace

class tst_DatabaseLocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void fieldsAreSetOneByOne();
};

void tst_DatabaseLocation::accepted_data()
{
    QTest::addColumn<QString>("location");
    QTest::addColumn<bool>("postgres");
    QTest::addColumn<QString>("shown");

    QTest::newRow("absolute path")
        << "/srv/ws/digitdesk.sqlite" << false << "/srv/ws/digitdesk.sqlite";
    QTest::newRow("relative path") << "ws/digitdesk.sqlite" << false << "ws/digitdesk.sqlite";
    QTest::newRow("path with a colon and an at")
        << "/srv/a:b@c/digitdesk.sqlite" << false << "/srv/a:b@c/digitdesk.sqlite";
    QTest::newRow("sqlite in memory") << ":memory:" << false << ":memory:";
    QTest::newRow("full url") << "postgresql://ana@db.example:5433/digitdesk" << true
                              << "postgresql://ana@db.example:5433/digitdesk";
    QTest::newRow("postgres scheme, upper case")
        << "POSTGRES://ana@db.example/digitdesk" << true << "postgresql://ana@db.example/digitdesk";
    QTest::newRow("no user") << "postgresql://db.example/dd" << true
                             << "postgresql://db.example/dd";
    QTest::newRow("no user, no host") << "postgresql:///dd" << true << "postgresql:///dd";
    QTest::newRow("port only") << "postgresql://:6000/dd" << true << "postgresql://:6000/dd";
    QTest::newRow("ipv6") << "postgresql://ana@[::1]:5433/dd" << true
                          << "postgresql://ana@[::1]:5433/dd";
    QTest::newRow("socket folder") << "postgresql://ana@%2Frun%2Fpostgresql/dd" << true
                                   << "postgresql://ana@%2Frun%2Fpostgresql/dd";
    QTest::newRow("encoded names")
        << "postgresql://a%40b@host/d%20d" << true << "postgresql://a%40b@host/d%20d";
    QTest::newRow("options in canonical order")
        << "postgresql://ana@h/dd?application_name=dd-serve&connect_timeout=5&sslmode=verify-full"
        << true
        << "postgresql://ana@h/dd?sslmode=verify-full&connect_timeout=5&application_name=dd-serve";
    QTest::newRow("empty query") << "postgresql://ana@h/dd?" << true << "postgresql://ana@h/dd";
}

void tst_DatabaseLocation::accepted()
{
    QFETCH(QString, location);
    QFETCH(bool, postgres);
    QFETCH(QString, shown);
    const DatabaseLocation parsed = DatabaseLocation::parse(location);
    QCOMPARE(parsed.engine(), postgres ? Engine::PostgreSql : Engine::Sqlite);
    QCOMPARE(parsed.toString(), shown);
    // What toString() shows parses to the same location.
    QCOMPARE(DatabaseLocation::parse(shown).toString(), shown);
}

void tst_DatabaseLocation::refused_data()
{
    QTest::addColumn<QString>("location");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("secret");

    const QString passwordAdvice = QStringLiteral("~/.pgpass");
    QTest::newRow("empty") << ""
                           << "no database location given"
                           << "";
    QTest::newRow("blank") << "  "
                           << "no database location given"
                           << "";
    QTest::newRow("other scheme") << "mysql://ana@h/dd"
                                  << "a mysql:// URL"
                                  << "";
    QTest::newRow("password") << "postgresql://ana:S3cretPw@h:5432/dd" << passwordAdvice
                              << "S3cretPw";
    QTest::newRow("empty password") << "postgresql://ana:@h/dd" << passwordAdvice << "";
    QTest::newRow("password with a slash")
        << "postgresql://ana:pa/ssWord9@h/dd" << passwordAdvice << "ssWord9";
    QTest::newRow("password with an at")
        << "postgresql://ana:p@ssWord9@h/dd" << passwordAdvice << "ssWord9";
    QTest::newRow("password option")
        << "postgresql://ana@h/dd?password=Hunter22" << passwordAdvice << "Hunter22";
    QTest::newRow("password option, second")
        << "postgresql://ana@h/dd?sslmode=require&PASSWORD=Hunter22" << passwordAdvice
        << "Hunter22";
    // Without an '@' the "port" is what the user meant as a password; it is not shown.
    QTest::newRow("password without host") << "postgresql://ana:Hunter22/dd"
                                           << "port of the database URL on host ana"
                                           << "Hunter22";
    QTest::newRow("no database") << "postgresql://ana@h:5432"
                                 << "names no database"
                                 << "";
    QTest::newRow("empty database") << "postgresql://ana@h:5432/"
                                    << "names no database"
                                    << "";
    QTest::newRow("path, not a name") << "postgresql://ana@h/a/b"
                                      << "path a/b is not one database"
                                      << "";
    QTest::newRow("port zero") << "postgresql://ana@h:0/dd"
                               << "not a number from 1 to 65535"
                               << "";
    QTest::newRow("port too big") << "postgresql://ana@h:65536/dd"
                                  << "not a number from 1 to 65535"
                                  << "";
    QTest::newRow("port not a number") << "postgresql://ana@h:54x/dd"
                                       << "not a number from 1 to 65535"
                                       << "";
    QTest::newRow("port empty") << "postgresql://ana@h:/dd"
                                << "not a number from 1 to 65535"
                                << "";
    QTest::newRow("port signed") << "postgresql://ana@h:+5432/dd"
                                 << "not a number from 1 to 65535"
                                 << "";
    QTest::newRow("unclosed ipv6") << "postgresql://ana@[::1/dd"
                                   << "never closes it"
                                   << "";
    QTest::newRow("several hosts") << "postgresql://ana@h1,h2/dd"
                                   << "several hosts (h1,h2)"
                                   << "";
    QTest::newRow("unknown option") << "postgresql://ana@h/dd?target_session_attrs=any"
                                    << "option target_session_attrs that DigitDesk does not know"
                                    << "";
    QTest::newRow("option twice") << "postgresql://ana@h/dd?sslmode=require&sslmode=disable"
                                  << "gives the option sslmode twice"
                                  << "";
    QTest::newRow("option without value") << "postgresql://ana@h/dd?sslmode"
                                          << "option sslmode has no value"
                                          << "";
    QTest::newRow("bad sslmode") << "postgresql://ana@h/dd?sslmode=maybe"
                                 << "sslmode maybe is not one of"
                                 << "";
    QTest::newRow("bad connect_timeout") << "postgresql://ana@h/dd?connect_timeout=soon"
                                         << "connect_timeout soon is not a number"
                                         << "";
    QTest::newRow("application_name with a space")
        << "postgresql://ana@h/dd?application_name=a%20b%20password=x"
        << "application_name a b password=x is not"
        << "";
    QTest::newRow("fragment") << "postgresql://ana@h/dd#top"
                              << "fragment"
                              << "";
}

void tst_DatabaseLocation::refused()
{
    QFETCH(QString, location);
    QFETCH(QString, reason);
    QFETCH(QString, secret);
    const QString message = refusalOf(location);
    QVERIFY2(message.contains(reason), qPrintable(message));
    if (!secret.isEmpty()) {
        QVERIFY2(!message.contains(secret), qPrintable(message));
    }
}

void tst_DatabaseLocation::fieldsAreSetOneByOne()
{
    const auto location = DatabaseLocation::parse(
        QStringLiteral("postgresql://an%40a@db.example:5433/dig%20it?connect_timeout=3"));
    QCOMPARE(location.user(), QStringLiteral("an@a"));
    QCOMPARE(location.host(), QStringLiteral("db.example"));
    QCOMPARE(location.port(), 5433);
    QCOMPARE(location.databaseName(), QStringLiteral("dig it"));
    QCOMPARE(location.option(QStringLiteral("connect_timeout")), QStringLiteral("3"));
    QVERIFY(location.option(QStringLiteral("sslmode")).isNull());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("a"));
        location.applyTo(db);
        QCOMPARE(db.userName(), QStringLiteral("an@a"));
        QCOMPARE(db.hostName(), QStringLiteral("db.example"));
        QCOMPARE(db.port(), 5433);
        QCOMPARE(db.databaseName(), QStringLiteral("dig it"));
        QCOMPARE(db.connectOptions(), QStringLiteral("connect_timeout=3"));
        QVERIFY(db.password().isEmpty());
    }
    // What is left out stays unset, for libpq's PGHOST, PGPORT and PGUSER.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("b"));
        DatabaseLocation::parse(QStringLiteral("postgresql:///dd")).applyTo(db);
        QVERIFY(db.hostName().isEmpty());
        QCOMPARE(db.port(), -1);
        QVERIFY(db.userName().isEmpty());
        QCOMPARE(db.databaseName(), QStringLiteral("dd"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("a"));
    QSqlDatabase::removeDatabase(QStringLiteral("b"));
}

QTEST_APPLESS_MAIN(tst_DatabaseLocation)

#include "tst_databaselocation.moc"
