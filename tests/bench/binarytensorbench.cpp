#include "tests/bench/binarytensorbench.h"

#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "tests/support/httpclient.h"
#include "tests/support/kservefixture.h"
#include "tests/support/servefixture.h"
#include "tests/support/testdata.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

namespace digitdesk::bench {

namespace {

constexpr int Images = 1000;
constexpr int Pixels = 784;

using Headers = QList<QPair<QByteArray, QByteArray>>;

// What a client gets back: a label and ten probabilities per image.
struct Decoded
{
    std::vector<qint64> labels;
    std::vector<float> probabilities;
};

struct Encoded
{
    QByteArray body;
    QByteArray contentType;
    Headers headers;
};

Encoded jsonRequest(const QByteArray &pixels, bool fp32)
{
    QByteArray body;
    body.reserve(pixels.size() * (fp32 ? 12 : 4) + 128);
    body += "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + QByteArray::number(Images) +
            ",784],\"datatype\":\"" + (fp32 ? "FP32" : "UINT8") + "\",\"data\":[";
    for (qsizetype i = 0; i < pixels.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        const auto value = static_cast<unsigned char>(pixels[i]);
        body += fp32 ? QByteArray::number(value / 255.0F, 'g', 9) : QByteArray::number(value);
    }
    body += "]}]}";
    return {body, "application/json", {}};
}

Encoded binaryRequest(const QByteArray &pixels, bool fp32)
{
    QByteArray tensor;
    if (fp32) {
        tensor.resize(pixels.size() * 4);
        for (qsizetype i = 0; i < pixels.size(); ++i) {
            const float value = static_cast<unsigned char>(pixels[i]) / 255.0F;
            std::memcpy(tensor.data() + i * 4, &value, 4);
        }
    } else {
        tensor = pixels;
    }
    const testing::BinaryRequest request = testing::binaryRequest(
        testing::binaryHeader(Images, fp32 ? "FP32" : "UINT8",
                              ",\"parameters\":{\"binary_data_output\":true}"),
        tensor);
    return {request.body, "application/octet-stream", request.headers()};
}

bool decodeJson(const testing::HttpAnswer &answer, Decoded *decoded)
{
    const QJsonArray outputs =
        QJsonDocument::fromJson(answer.body).object().value(QStringLiteral("outputs")).toArray();
    for (const QJsonValue &output : outputs) {
        const QJsonObject tensor = output.toObject();
        const QJsonArray data = tensor.value(QStringLiteral("data")).toArray();
        const bool labels = tensor.value(QStringLiteral("name")) == QStringLiteral("label");
        for (const QJsonValue &value : data) {
            if (labels) {
                decoded->labels.push_back(value.toInteger());
            } else {
                decoded->probabilities.push_back(static_cast<float>(value.toDouble()));
            }
        }
    }
    return decoded->labels.size() == Images && decoded->probabilities.size() == Images * 10;
}

bool decodeBinary(const testing::HttpAnswer &answer, Decoded *decoded)
{
    QJsonObject header;
    QByteArray tail;
    if (!testing::splitBinaryAnswer(answer, &header, &tail) ||
        tail.size() != Images * (8 + 10 * 4)) {
        return false;
    }
    // Outputs in the order the header lists them: label, then probabilities.
    decoded->labels.resize(Images);
    std::memcpy(decoded->labels.data(), tail.constData(), Images * 8);
    decoded->probabilities.resize(Images * 10);
    std::memcpy(decoded->probabilities.data(), tail.constData() + Images * 8, Images * 40);
    return true;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

struct Way
{
    const char *name;
    std::function<Encoded(const QByteArray &)> encode;
    std::function<bool(const testing::HttpAnswer &, Decoded *)> decode;
};

struct Figures
{
    std::vector<double> endToEndMs;
    std::vector<double> serverMs;
    qsizetype requestBytes = 0;
    qsizetype answerBytes = 0;
};

} // namespace

bool compareBinaryTensors(const QString &workspace, const QStringList &serveOptions, int rounds)
{
    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const QByteArray pixels = images.data.left(qsizetype{Images} * Pixels);
    testing::ServeProcess serve;
    if (pixels.size() != Images * Pixels || !serve.start(workspace, serveOptions)) {
        std::fprintf(stderr, "binary tensors: no MNIST digits, or the endpoint did not start\n");
        return false;
    }
    testing::HttpClient client(QStringLiteral("127.0.0.1"), serve.port);
    QElapsedTimer loading;
    loading.start();
    while (client.request("GET", "/v2/health/ready").status != 200) {
        if (loading.elapsed() > 60000) {
            std::fprintf(stderr, "binary tensors: no model was ready within a minute\n");
            return false;
        }
        QThread::msleep(100);
    }
    const std::vector<Way> ways = {
        {"JSON, UINT8", [](const QByteArray &p) { return jsonRequest(p, false); }, decodeJson},
        {"binary, UINT8", [](const QByteArray &p) { return binaryRequest(p, false); },
         decodeBinary},
        {"JSON, FP32", [](const QByteArray &p) { return jsonRequest(p, true); }, decodeJson},
        {"binary, FP32", [](const QByteArray &p) { return binaryRequest(p, true); }, decodeBinary},
    };
    std::vector<Figures> figures(ways.size());
    std::vector<Encoded> prepared;
    for (const Way &way : ways) {
        prepared.push_back(way.encode(pixels));
    }
    const QByteArray path = "/v2/models/digits/infer";
    for (int round = -1; round < rounds; ++round) { // round -1 warms up
        for (size_t w = 0; w < ways.size(); ++w) {
            const Way &way = ways[w];
            Figures &measured = figures[w];
            QElapsedTimer timer;
            timer.start();
            const Encoded request = way.encode(pixels);
            const testing::HttpAnswer answer =
                client.request("POST", path, request.body, request.contentType, request.headers);
            Decoded decoded;
            if (answer.status != 200 || !way.decode(answer, &decoded)) {
                std::fprintf(stderr, "binary tensors: %s answered %d: %s\n", way.name,
                             answer.status, answer.body.left(300).constData());
                return false;
            }
            const double endToEnd = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            timer.restart();
            const Encoded &ready = prepared[w];
            const testing::HttpAnswer served =
                client.request("POST", path, ready.body, ready.contentType, ready.headers);
            const double server = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            if (served.status != 200 || decoded.labels.front() < 0 || decoded.labels.front() > 9) {
                return false;
            }
            if (round >= 0) {
                measured.endToEndMs.push_back(endToEnd);
                measured.serverMs.push_back(server);
            }
            measured.requestBytes = request.body.size();
            measured.answerBytes = answer.body.size();
        }
    }
    std::printf("One request of 1,000 MNIST digits, KServe v2 JSON against Triton's binary "
                "tensor data (median of %d):\n",
                rounds);
    std::printf("    %-14s %12s %12s %14s %14s\n", "", "request", "answer", "end to end",
                "round trip");
    for (size_t w = 0; w < ways.size(); ++w) {
        const Figures &f = figures[w];
        std::printf("    %-14s %9.2f MB %9.2f MB %11.1f ms %11.1f ms\n", ways[w].name,
                    static_cast<double>(f.requestBytes) / 1e6,
                    static_cast<double>(f.answerBytes) / 1e6, median(f.endToEndMs),
                    median(f.serverMs));
    }
    for (size_t w = 0; w + 1 < ways.size(); w += 2) {
        std::printf("    %s: binary %.1fx faster end to end [>= 3x], round trip %.1fx\n",
                    ways[w].name + 6,
                    median(figures[w].endToEndMs) / median(figures[w + 1].endToEndMs),
                    median(figures[w].serverMs) / median(figures[w + 1].serverMs));
    }
    std::printf("\n");
    return true;
}

bool compareBinaryTensorsOnTwoModels(const testing::TempWorkspace &temp,
                                     const annotation::Principal &engineer, qint64 digitNet,
                                     const QStringList &serveOptions, int rounds)
{
    annotation::ModelRegistry registry(temp.workspace->db(), temp.workspace->root());
    registry.setImportCheck(annotation::ModelImportCheck(QStringLiteral(DIGITDESK_BINARY)));
    const QString folder = temp.dir.filePath(QStringLiteral("constant"));
    if (!testing::runPython(testing::fixtureScript(QStringLiteral("make_served_models.py")),
                            {folder})) {
        std::fprintf(stderr, "binary tensors: make_served_models.py failed\n");
        return false;
    }
    const qint64 constant = registry.importTorchScript(
        engineer, folder + QStringLiteral("/sure7.pt"), QStringLiteral("constant"));
    std::printf("DigitNet in production:\n");
    registry.moveAlias(engineer, annotation::ProductionAlias, digitNet, QStringLiteral("bench"));
    bool ok = compareBinaryTensors(temp.folder(), serveOptions, rounds);
    std::printf("A constant model in production (inference costs next to nothing: the protocol "
                "alone):\n");
    registry.moveAlias(engineer, annotation::ProductionAlias, constant, QStringLiteral("bench"));
    ok = compareBinaryTensors(temp.folder(), serveOptions, rounds) && ok;
    registry.moveAlias(engineer, annotation::ProductionAlias, digitNet, QStringLiteral("bench"));
    return ok;
}

} // namespace digitdesk::bench
