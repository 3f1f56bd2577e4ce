#include "tests/bench/shadowbench.h"

#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/servingexperiment.h"
#include "tests/bench/loadgenerator.h"
#include "tests/support/httpclient.h"
#include "tests/support/servefixture.h"
#include "tests/support/testdata.h"

#include <QThread>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace digitdesk::bench {
namespace {

constexpr int Digits = 200;
constexpr int Pixels = 784;
constexpr double RequestsPerSecond = 100;

std::vector<std::string> digitRequests()
{
    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    std::vector<std::string> requests;
    for (int i = 0; i < Digits && (i + 1) * Pixels <= images.data.size(); ++i) {
        std::string body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":"
                           "\"UINT8\",\"data\":[";
        for (int p = 0; p < Pixels; ++p) {
            if (p > 0) {
                body += ',';
            }
            body += std::to_string(static_cast<unsigned char>(images.data[i * Pixels + p]));
        }
        body += "]}]}";
        requests.push_back(
            LoadGenerator::post("/v2/models/digits/infer", "application/json", body));
    }
    return requests;
}

double metric(testing::HttpClient &client, const QByteArray &prefix)
{
    for (const QByteArray &row : client.request("GET", "/metrics").body.split('\n')) {
        if (row.startsWith(prefix)) {
            return row.mid(row.lastIndexOf(' ') + 1).toDouble();
        }
    }
    return 0;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

bool compareShadowLatency(const testing::TempWorkspace &temp, const annotation::Principal &engineer,
                          qint64 production, qint64 candidate, int rounds, int seconds)
{
    annotation::ModelRegistry registry(temp.workspace->db(), temp.workspace->root());
    registry.moveAlias(engineer, annotation::ProductionAlias, production,
                       QStringLiteral("shadow bench"));
    registry.moveAlias(engineer, annotation::CandidateAlias, candidate,
                       QStringLiteral("shadow bench"));
    annotation::ServingExperiment experiment(temp.workspace->db());
    experiment.setShadowShare(engineer, 0);
    const std::vector<std::string> requests = digitRequests();
    testing::ServeProcess serve;
    if (requests.size() != Digits || !serve.start(temp.folder())) {
        std::fprintf(stderr, "shadow: no MNIST digits, or the endpoint did not start\n");
        return false;
    }
    testing::HttpClient client(QStringLiteral("127.0.0.1"), serve.port);
    for (int i = 0; i < 600 && metric(client, "digitdesk_model_info{version=\"" +
                                                  QByteArray::number(candidate)) < 1;
         ++i) {
        QThread::msleep(100); // the candidate loads beside production
    }
    const LoadGenerator load("127.0.0.1", static_cast<unsigned short>(serve.port));
    load.openLoop(requests, RequestsPerSecond, std::chrono::seconds(3)); // warm up
    std::printf("Shadow traffic: p99 at %.0f req/s, production model %lld, candidate %lld, "
                "%d interleaved runs of %d s each\n",
                RequestsPerSecond, static_cast<long long>(production),
                static_cast<long long>(candidate), rounds, seconds);
    std::vector<double> p99[2];
    std::vector<double> p50[2];
    for (int round = 0; round < rounds; ++round) {
        for (int shadow = 0; shadow < 2; ++shadow) {
            experiment.setShadowShare(engineer, shadow);
            QThread::msleep(1000); // the endpoint reads its settings five times a second
            const double comparedBefore = metric(client, "digitdesk_shadow_compared_total");
            const LoadResult result =
                load.openLoop(requests, RequestsPerSecond, std::chrono::seconds(seconds));
            const double compared =
                metric(client, "digitdesk_shadow_compared_total") - comparedBefore;
            p99[shadow].push_back(result.percentile(99));
            p50[shadow].push_back(result.percentile(50));
            std::printf("    shadow %3d%%  p50 %6.2f ms  p99 %6.2f ms  ok %5d  other %d  failed "
                        "%d  shadowed %.0f\n",
                        shadow * 100, result.percentile(50), result.percentile(99), result.ok,
                        result.otherStatus + result.rejected, result.failed, compared);
        }
    }
    experiment.setShadowShare(engineer, 0);
    const double off = median(p99[0]);
    const double on = median(p99[1]);
    std::printf("  => median p99: shadow 0%% %.2f ms, shadow 100%% %.2f ms (%+.1f%%) [< 5%% "
                "apart]; median p50 %.2f against %.2f ms\n",
                off, on, off > 0 ? (on / off - 1) * 100 : 0.0, median(p50[0]), median(p50[1]));
    return true;
}

} // namespace digitdesk::bench
