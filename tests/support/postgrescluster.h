#pragma once

// A throwaway PostgreSQL cluster for one test, from Debian's pg_virtualenv (postgresql-common):
// it creates the cluster (fsync off), runs a shell that prints the connection variables and
// then waits on its stdin, and drops the cluster when that shell ends. Header-only, like
// nginxproxy.h.

#include "tests/support/servefixture.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <signal.h>
#include <sys/prctl.h>

namespace digitdesk::testing {

class PostgresCluster final
{
public:
    PostgresCluster() = default;
    // Closing the shell's stdin ends it; pg_virtualenv then stops and drops the cluster.
    ~PostgresCluster()
    {
        if (m_process.state() == QProcess::NotRunning) {
            return;
        }
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(30000)) {
            terminateChild(m_process, 10000);
        }
    }
    PostgresCluster(const PostgresCluster &) = delete;
    PostgresCluster &operator=(const PostgresCluster &) = delete;

    // False, with error() saying why, when pg_virtualenv is missing or the cluster did not
    // come up within 60 s. A test fails on it: a missing package is a broken machine, not a
    // reason to skip.
    bool start()
    {
        const QString program = QStandardPaths::findExecutable(QStringLiteral("pg_virtualenv"));
        if (program.isEmpty()) {
            m_error = QStringLiteral("pg_virtualenv is not installed: it comes with Debian's "
                                     "postgresql-common, and the server with postgresql "
                                     "(installer/deps-debian.sh installs both)");
            return false;
        }
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char *name :
             {"PGHOST", "PGHOSTADDR", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGPASSFILE",
              "PGSERVICE", "PGSYSCONFDIR", "PG_CLUSTER_CONF_ROOT"}) {
            environment.remove(QString::fromLatin1(name));
        }
        // pg_createcluster takes this port, so that clusters of tests running side by side
        // do not all ask for 5432; -t keeps each one in its own temporary folder, even as root.
        environment.insert(QStringLiteral("PGPORT"), QString::number(freePort()));
        m_process.setProcessEnvironment(environment);
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.start(program, {QStringLiteral("-t"), QStringLiteral("sh"), QStringLiteral("-c"),
                                  QStringLiteral("echo \"%1 $PGHOST $PGPORT $PGUSER $PGDATABASE "
                                                 "$PGPASSWORD\"; read _ || :")
                                      .arg(QLatin1String(Marker))});
        QString output;
        const QDeadlineTimer deadline(60000);
        while (m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime()))) {
            while (m_process.canReadLine()) {
                const QString line = QString::fromLocal8Bit(m_process.readLine()).trimmed();
                const QStringList fields = line.split(QLatin1Char(' '));
                if (fields.size() == 6 && fields[0] == QLatin1String(Marker)) {
                    m_host = fields[1];
                    m_port = fields[2].toInt();
                    m_user = fields[3];
                    m_database = fields[4];
                    m_password = fields[5];
                    return true;
                }
                output += line + QLatin1Char('\n');
            }
        }
        m_error = QStringLiteral("pg_virtualenv gave no cluster within 60 s (%1): %2%3")
                      .arg(m_process.state() == QProcess::NotRunning
                               ? QStringLiteral("it exited with %1").arg(m_process.exitCode())
                               : QStringLiteral("still running"),
                           output, QString::fromLocal8Bit(m_process.readAllStandardError()));
        return false;
    }

    QString error() const { return m_error; }
    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString user() const { return m_user; }
    QString maintenanceDatabase() const { return m_database; }

    // The superuser's URL for `database` (the maintenance database when empty); never a
    // password, which goes through the environment.
    QString url(const QString &database = QString()) const
    {
        return QStringLiteral("postgresql://%1@%2:%3/%4")
            .arg(m_user, m_host, QString::number(m_port),
                 database.isEmpty() ? m_database : database);
    }

    // The environment for a child process that connects as the superuser: PGPASSWORD set.
    QProcessEnvironment environment() const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PGPASSWORD"), m_password);
        return environment;
    }

    // The same for this process (libpq reads PGPASSWORD at every connect).
    void exportPassword() const { qputenv("PGPASSWORD", m_password.toLocal8Bit()); }
    // Only for tests that check a password never shows.
    QString password() const { return m_password; }

private:
    static constexpr const char *Marker = "DIGITDESK_PG_CLUSTER";

    QProcess m_process;
    QString m_error;
    QString m_host;
    int m_port = 0;
    QString m_user;
    QString m_database;
    QString m_password;
};

} // namespace digitdesk::testing
