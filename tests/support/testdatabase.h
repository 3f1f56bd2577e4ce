#pragma once

// The engine a suite runs on. `make test` runs every suite labelled `db` a second time inside
// pg_virtualenv, with DIGITDESK_TEST_DATABASE naming the throwaway server's maintenance
// database (postgresql://USER@HOST:PORT/postgres; the password in PGPASSWORD). Then each
// workspace a test makes gets a database of its own on that server, dropped afterwards.

#include <QString>

namespace digitdesk::testing {

constexpr const char *TestDatabaseVariable = "DIGITDESK_TEST_DATABASE";

inline bool testsUsePostgresql()
{
    return !qEnvironmentVariable(TestDatabaseVariable).isEmpty();
}

// A new empty database on the test server (CREATE DATABASE, about 0.15 s), dropped with the
// object even while connections to it are open; url() is empty when the tests run on SQLite.
class TestDatabase final
{
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    QString url() const { return m_url; }

private:
    QString m_name;
    QString m_url;
};

} // namespace digitdesk::testing
