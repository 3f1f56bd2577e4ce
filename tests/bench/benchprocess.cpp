#include "tests/bench/benchprocess.h"

#include "tests/bench/loadgenerator.h"
#include "tests/support/testfiles.h"

#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QProcess>
#include <QRegularExpression>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

namespace digitdesk::bench {

bool waitUntilUp(unsigned short port, const std::string &path, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n";
    while (timer.elapsed() < timeoutMs) {
        const LoadResult probe =
            LoadGenerator("127.0.0.1", port).closedLoop({request}, 1, std::chrono::milliseconds(1));
        if (probe.ok > 0) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

double processCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double cpuSecondsOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    const double ticks = fields.value(11).toDouble() + fields.value(12).toDouble();
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

WrkFigures runWrk(unsigned short port, const std::string &path, const std::string &contentType,
                  const std::string &body, int connections, const QString &folder)
{
    const QString bodyFile = folder + QStringLiteral("/wrk-body");
    const QString script = folder + QStringLiteral("/wrk.lua");
    testing::writeFile(bodyFile, QByteArray::fromStdString(body));
    testing::writeFile(script, QStringLiteral("local f = io.open(\"%1\", \"rb\")\n"
                                              "wrk.method = \"POST\"\n"
                                              "wrk.body = f:read(\"*all\")\n"
                                              "wrk.headers[\"Content-Type\"] = \"%2\"\n")
                                   .arg(bodyFile, QString::fromStdString(contentType))
                                   .toUtf8());
    QProcess wrk;
    wrk.start(
        QStringLiteral("wrk"),
        {QStringLiteral("-t1"), QStringLiteral("-c%1").arg(connections), QStringLiteral("-d6s"),
         QStringLiteral("--latency"), QStringLiteral("-s"), script,
         QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(QString::fromStdString(path))});
    WrkFigures figures;
    if (!wrk.waitForFinished(60000) || wrk.exitCode() != 0) {
        return figures;
    }
    const QString output = QString::fromUtf8(wrk.readAllStandardOutput());
    const QRegularExpression rate(QStringLiteral("Requests/sec:\\s+([0-9.]+)"));
    const QRegularExpression p99(QStringLiteral("99%\\s+([0-9.]+)(us|ms|s)"));
    figures.rate = rate.match(output).captured(1).toDouble();
    const QRegularExpressionMatch latency = p99.match(output);
    if (latency.hasMatch()) {
        const double scale = latency.captured(2) == QStringLiteral("us")  ? 0.001
                             : latency.captured(2) == QStringLiteral("s") ? 1000.0
                                                                          : 1.0;
        figures.p99Ms = latency.captured(1).toDouble() * scale;
    }
    return figures;
}

} // namespace digitdesk::bench
