#pragma once

// Debian's nginx as a child of a test or a benchmark, in front of `digitdesk serve` replicas,
// configured from the shipped installer/nginx/digitdesk-serve.conf with the replicas' ports
// filled in: what the test proves is the file an operator installs. Header-only, like
// servemodelsfixture.h.

#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QList>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace digitdesk::testing {

inline QString shippedServeConf()
{
    return QStringLiteral(DIGITDESK_SOURCE_DIR "/installer/nginx/digitdesk-serve.conf");
}

// The nginx binary, or empty when nginx is not installed (Debian puts it in /usr/sbin).
inline QString nginxExecutable()
{
    const QString found = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    return found.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("nginx"),
                                                            {QStringLiteral("/usr/sbin")})
                           : found;
}

// The shipped configuration (`shipped`: its text) with one upstream server line per replica
// port, each with the parameters of the shipped lines, nginx listening on 127.0.0.1:`listenPort`
// and its access log at `accessLog`. Empty, with `error` set, when the file no longer has the
// shape this expects.
inline QString renderServeConf(QString shipped, const QList<int> &replicaPorts, int listenPort,
                               const QString &accessLog, QString *error)
{
    static const QRegularExpression server(
        QStringLiteral("^( *)server 127\\.0\\.0\\.1:\\d+( [^;\\n]*)?;\\n"),
        QRegularExpression::MultilineOption);
    static const QRegularExpression listen(QStringLiteral("^( *)listen \\d+;$"),
                                           QRegularExpression::MultilineOption);
    static const QRegularExpression log(QStringLiteral("access_log /var/log/nginx/[^ ;]+"));
    const QRegularExpressionMatch first = server.match(shipped);
    if (!first.hasMatch() || shipped.count(listen) != 1 || shipped.count(log) != 1) {
        *error = QStringLiteral("%1 has no upstream server line on 127.0.0.1, or not one listen "
                                "port and one access log in /var/log/nginx")
                     .arg(shippedServeConf());
        return {};
    }
    QString servers;
    for (const int port : replicaPorts) {
        servers += QStringLiteral("%1server 127.0.0.1:%2%3;\n")
                       .arg(first.captured(1), QString::number(port), first.captured(2));
    }
    shipped.remove(server);
    shipped.insert(first.capturedStart(), servers);
    shipped.replace(listen, QStringLiteral("\\1listen 127.0.0.1:%1;").arg(listenPort));
    shipped.replace(log, QStringLiteral("access_log ") + accessLog);
    return shipped;
}

// nginx with its own prefix, configuration, pid file, temporary folders and logs in `folder`,
// in the foreground (`daemon off`), on a free loopback port. The destructor stops it gracefully
// (SIGTERM), so that its workers end with it.
class NginxProxy final
{
public:
    explicit NginxProxy(QString folder) : m_folder(std::move(folder)) {}
    ~NginxProxy() { terminateChild(m_process, 10000); }
    NginxProxy(const NginxProxy &) = delete;
    NginxProxy &operator=(const NginxProxy &) = delete;

    // False, with error() saying why, when it could not be configured or did not answer on its
    // port within 20 s.
    bool start(const QList<int> &replicaPorts)
    {
        QFile shipped(shippedServeConf());
        if (!shipped.open(QIODevice::ReadOnly)) {
            m_error = QStringLiteral("cannot read %1").arg(shipped.fileName());
            return false;
        }
        port = freePort();
        const QString site = renderServeConf(QString::fromUtf8(shipped.readAll()), replicaPorts,
                                             port, accessLogPath(), &m_error);
        if (site.isEmpty()) {
            return false;
        }
        QDir(m_folder).mkpath(QStringLiteral("."));
        const QString sitePath = m_folder + QStringLiteral("/digitdesk-serve.conf");
        // The main context Debian's /etc/nginx/nginx.conf gives the shipped file, with every
        // path in `folder`. As root, the workers stay root: the folder is the test's, mode 0700.
        QString main = QStringLiteral("worker_processes auto;\npid %1/nginx.pid;\n"
                                      "error_log %1/error.log warn;\n")
                           .arg(m_folder);
        if (::geteuid() == 0) {
            main += QStringLiteral("user root root;\n");
        }
        main += QStringLiteral("events { worker_connections 1024; }\nhttp {\n");
        for (const char *temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
            main += QStringLiteral("    %1_temp_path %2/%1;\n").arg(QLatin1String(temp), m_folder);
        }
        main += QStringLiteral("    include %1;\n}\n").arg(sitePath);
        if (!write(sitePath, site) || !write(m_folder + QStringLiteral("/nginx.conf"), main)) {
            return false;
        }
        m_process.setProgram(nginxExecutable());
        m_process.setArguments({QStringLiteral("-p"), m_folder, QStringLiteral("-e"),
                                m_folder + QStringLiteral("/error.log"), QStringLiteral("-c"),
                                m_folder + QStringLiteral("/nginx.conf"), QStringLiteral("-g"),
                                QStringLiteral("daemon off;")});
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        // A test or bench that dies without its destructors (a crash, ^C) takes nginx with it
        // rather than leaving its master and workers behind.
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.start();
        const QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired()) {
            if (HttpClient(QStringLiteral("127.0.0.1"), port).connected()) {
                return true;
            }
            if (m_process.state() == QProcess::NotRunning || m_process.waitForFinished(50)) {
                break;
            }
        }
        m_error = QStringLiteral("nginx did not answer on port %1: %2%3")
                      .arg(port)
                      .arg(QString::fromUtf8(m_process.readAll()), errorLog());
        return false;
    }

    QString error() const { return m_error; }
    QString accessLogPath() const { return m_folder + QStringLiteral("/access.log"); }
    QString errorLog() const
    {
        QFile file(m_folder + QStringLiteral("/error.log"));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

    int port = 0;

private:
    bool write(const QString &path, const QString &text)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(text.toUtf8()) < 0) {
            m_error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
        return true;
    }

    QString m_folder;
    QProcess m_process;
    QString m_error;
};

} // namespace digitdesk::testing
