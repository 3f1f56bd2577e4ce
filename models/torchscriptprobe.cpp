#include "models/torchscriptprobe.h"

#include "models/evaluation.h"

#include <torch/script.h>
#include <torch/types.h>

#include <QJsonArray>
#include <QStringList>

#include <chrono>
#include <cmath>
#include <new>
#include <random>
#include <sstream>

namespace digitdesk::models {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// `count` 28x28 images of one kind, in 0..1: the same values on every machine and every run.
std::vector<float> probeImages(const QString &kind, int count)
{
    std::vector<float> pixels(static_cast<size_t>(count) * PixelCount, 0.0F);
    if (kind == QStringLiteral("noise")) {
        std::mt19937 generator(18);
        for (float &pixel : pixels) {
            pixel = static_cast<float>(generator() % 256U) / 255.0F;
        }
    } else if (kind == QStringLiteral("digit")) {
        for (int image = 0; image < count; ++image) {
            for (int y = 0; y < 28; ++y) {
                for (int x = 0; x < 28; ++x) {
                    const double radius = std::hypot(x - 13.5, (y - 13.5) * 0.8);
                    if (radius >= 6.0 + image % 3 && radius <= 9.0 + image % 3) {
                        pixels[static_cast<size_t>(image) * PixelCount +
                               static_cast<size_t>(y) * 28 + static_cast<size_t>(x)] = 1.0F;
                    }
                }
            }
        }
    }
    return pixels;
}

// TorchScript errors carry the script's traceback; its last line says what went wrong.
QString lastLine(const char *message)
{
    const QStringList lines =
        QString::fromUtf8(message).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.last().trimmed();
}

bool isAllocationFailure(const QString &message)
{
    return message.contains(QStringLiteral("can't allocate memory")) ||
           message.contains(QStringLiteral("std::bad_alloc")) ||
           message.contains(QStringLiteral("out of memory"), Qt::CaseInsensitive);
}

ProbeRun runOnce(torch::jit::Module &module, const QString &input, int batch)
{
    ProbeRun run;
    run.batch = batch;
    run.input = input;
    std::vector<float> pixels = probeImages(input, batch);
    const torch::Tensor images =
        torch::from_blob(pixels.data(), {batch, 1, 28, 28}, torch::kFloat32);
    const Clock::time_point start = Clock::now();
    const torch::IValue answer = module.forward({images});
    run.milliseconds = millisecondsSince(start);
    if (!answer.isTensor()) {
        throw std::runtime_error("it answers " + answer.tagKind() + ", not a tensor");
    }
    const torch::Tensor output = answer.toTensor();
    run.shape.assign(output.sizes().begin(), output.sizes().end());
    run.dtype = QString::fromLatin1(c10::toString(output.scalar_type()));
    run.finite = !output.is_floating_point() || torch::isfinite(output).all().item<bool>();
    return run;
}

} // namespace

const std::vector<int> &probeBatchSizes()
{
    static const std::vector<int> sizes = {1, 2, 7};
    return sizes;
}

const std::vector<QString> &probeInputs()
{
    static const std::vector<QString> inputs = {QStringLiteral("zeros"), QStringLiteral("noise"),
                                                QStringLiteral("digit")};
    return inputs;
}

TorchScriptProbe probeTorchScript(const QByteArray &bytes)
{
    TorchScriptProbe probe;
    QString stage = QStringLiteral("to load");
    try {
        const Clock::time_point start = Clock::now();
        std::istringstream stream(bytes.toStdString());
        torch::jit::Module module = torch::jit::load(stream);
        module.eval();
        probe.loadMilliseconds = millisecondsSince(start);
        const torch::InferenceMode inference;
        for (const QString &input : probeInputs()) {
            for (const int batch : probeBatchSizes()) {
                stage = QStringLiteral("on %1 image(s) of %2").arg(batch).arg(input);
                probe.runs.push_back(runOnce(module, input, batch));
            }
        }
    } catch (const std::bad_alloc &) {
        probe.outOfMemory = true;
        probe.error = QStringLiteral("%1: an allocation failed").arg(stage);
    } catch (const c10::Error &error) {
        probe.error = QStringLiteral("%1: %2").arg(stage, lastLine(error.what_without_backtrace()));
        probe.outOfMemory = isAllocationFailure(probe.error);
    } catch (const std::exception &error) {
        probe.error = QStringLiteral("%1: %2").arg(stage, lastLine(error.what()));
        probe.outOfMemory = isAllocationFailure(probe.error);
    }
    return probe;
}

QJsonObject TorchScriptProbe::toJson() const
{
    QJsonArray runList;
    for (const ProbeRun &run : runs) {
        QJsonArray shapeList;
        for (const int64_t size : run.shape) {
            shapeList.append(static_cast<qint64>(size));
        }
        runList.append(QJsonObject{{QStringLiteral("batch"), run.batch},
                                   {QStringLiteral("input"), run.input},
                                   {QStringLiteral("shape"), shapeList},
                                   {QStringLiteral("dtype"), run.dtype},
                                   {QStringLiteral("finite"), run.finite},
                                   {QStringLiteral("ms"), run.milliseconds}});
    }
    QJsonObject json{{QStringLiteral("load_ms"), loadMilliseconds},
                     {QStringLiteral("runs"), runList}};
    if (!error.isEmpty()) {
        json.insert(QStringLiteral("error"), error);
        json.insert(QStringLiteral("out_of_memory"), outOfMemory);
    }
    return json;
}

TorchScriptProbe TorchScriptProbe::fromJson(const QJsonObject &json)
{
    TorchScriptProbe probe;
    probe.error = json.value(QStringLiteral("error")).toString();
    probe.outOfMemory = json.value(QStringLiteral("out_of_memory")).toBool();
    probe.loadMilliseconds = json.value(QStringLiteral("load_ms")).toDouble();
    for (const QJsonValue &value : json.value(QStringLiteral("runs")).toArray()) {
        const QJsonObject object = value.toObject();
        ProbeRun run;
        run.batch = object.value(QStringLiteral("batch")).toInt();
        run.input = object.value(QStringLiteral("input")).toString();
        for (const QJsonValue &size : object.value(QStringLiteral("shape")).toArray()) {
            run.shape.push_back(size.toInteger());
        }
        run.dtype = object.value(QStringLiteral("dtype")).toString();
        run.finite = object.value(QStringLiteral("finite")).toBool();
        run.milliseconds = object.value(QStringLiteral("ms")).toDouble();
        probe.runs.push_back(std::move(run));
    }
    return probe;
}

} // namespace digitdesk::models
