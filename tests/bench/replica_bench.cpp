// Requests per second and p99 of `digitdesk serve` replicas behind Debian's nginx, configured
// from installer/nginx/digitdesk-serve.conf: one, two and three replicas, and one replica
// spoken to directly, so the cost of the hop shows beside the gain of the replicas. All of it
// (replicas, nginx, the load generator) shares this machine's cores: the point is the shape of
// the curve, not absolute numbers.
//
//   replica_bench [--quick] [--connections N]
#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "tests/bench/benchprocess.h"
#include "tests/bench/loadgenerator.h"
#include "tests/support/nginxproxy.h"
#include "tests/support/servefixture.h"
#include "tests/support/servetestsupport.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QFile>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

using namespace digitdesk;
using bench::LoadGenerator;
using bench::LoadResult;

namespace {

struct Row
{
    QString name;
    LoadResult result;
};

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll().split(' ').value(0))
                                          : QStringLiteral("?");
}

void print(const Row &row)
{
    const LoadResult &r = row.result;
    std::printf("%-34s %8.0f %9.1f %9.1f %7d %7d\n", qPrintable(row.name), r.rate(),
                r.percentile(50), r.percentile(99), r.rejected, r.failed + r.otherStatus);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const bool quick = arguments.contains(QStringLiteral("--quick"));
    const qsizetype connectionsAt = arguments.indexOf(QStringLiteral("--connections"));
    const int connections = connectionsAt > 0 ? arguments.value(connectionsAt + 1).toInt() : 16;
    if (testing::nginxExecutable().isEmpty()) {
        std::fprintf(stderr, "replica_bench: nginx is not installed (installer/deps-debian.sh)\n");
        return 2;
    }
    testing::TempWorkspace temp;
    const annotation::Principal engineer =
        testing::addUser(*temp.workspace, QStringLiteral("bench"), annotation::Role::MlEngineer);
    const qint64 model = testing::addUntrainedModel(temp, engineer);
    testing::waiveSignOff(*temp.workspace);
    annotation::ModelRegistry(temp.workspace->db(), temp.workspace->root())
        .moveAlias(engineer, annotation::ProductionAlias, model, QStringLiteral("bench"));

    std::vector<std::unique_ptr<testing::ServeProcess>> replicas;
    QList<int> ports;
    for (int i = 0; i < 3; ++i) {
        auto replica = std::make_unique<testing::ServeProcess>(testing::ServeProcess::Ending::Kill);
        if (!replica->start(temp.folder(), {QStringLiteral("--no-capture")}) ||
            !bench::waitUntilUp(static_cast<unsigned short>(replica->port), "/v2/health/ready",
                                60000)) {
            std::fprintf(stderr, "replica_bench: replica %d did not start: %s\n", i,
                         qPrintable(replica->log()));
            return 2;
        }
        ports << replica->port;
        replicas.push_back(std::move(replica));
    }
    const std::vector<std::string> requests{LoadGenerator::post(
        "/v2/models/digits/infer", "application/json", testing::tensorBody(1).toStdString())};
    const auto duration = std::chrono::milliseconds(quick ? 2000 : 8000);
    const auto measure = [&](int port) {
        const LoadGenerator load("127.0.0.1", static_cast<unsigned short>(port));
        load.closedLoop(requests, connections, std::chrono::milliseconds(500)); // warm-up
        return load.closedLoop(requests, connections, duration);
    };

    std::printf("replica_bench: %u cores, load average %s at start; DigitNet (untrained), one "
                "UINT8 [1,784] tensor per request, %d keep-alive connections for %lld s per row; "
                "replicas, nginx (worker_processes auto) and the load generator on this "
                "machine\n\n",
                std::thread::hardware_concurrency(), qPrintable(loadAverage()), connections,
                static_cast<long long>(duration.count() / 1000));
    std::printf("%-34s %8s %9s %9s %7s %7s\n", "", "req/s", "p50 ms", "p99 ms", "503", "failed");
    std::vector<Row> rows;
    rows.push_back({QStringLiteral("1 replica, direct"), measure(ports.at(0))});
    print(rows.back());
    for (int n = 1; n <= 3; ++n) {
        testing::NginxProxy nginx(temp.dir.path() + QStringLiteral("/nginx%1").arg(n));
        if (!nginx.start(ports.mid(0, n))) {
            std::fprintf(stderr, "replica_bench: %s\n", qPrintable(nginx.error()));
            return 2;
        }
        rows.push_back({QStringLiteral("%1 replica%2 behind nginx").arg(n).arg(n > 1 ? "s" : ""),
                        measure(nginx.port)});
        print(rows.back());
    }
    const LoadResult &direct = rows.at(0).result;
    const LoadResult &proxied = rows.at(1).result;
    std::printf("\nnginx at one replica: %+.0f%% requests/s, %+.2f ms p50, %+.2f ms p99 against "
                "a direct connection; load average %s at the end\n",
                100.0 * (proxied.rate() / direct.rate() - 1.0),
                proxied.percentile(50) - direct.percentile(50),
                proxied.percentile(99) - direct.percentile(99), qPrintable(loadAverage()));
    return 0;
}
