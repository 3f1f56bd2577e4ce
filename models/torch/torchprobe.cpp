#include "models/torch/torchbackend.h"

#include "models/evaluation.h"
#include "models/torch/classifier.h"

#include <torch/script.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <QFile>
#include <QStringList>

#include <chrono>
#include <cmath>
#include <new>
#include <random>
#include <sstream>

namespace digitdesk::models::detail {
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

QString TorchBackend::checkTorchScriptShape(const QString &path)
{
    std::unique_ptr<Classifier> classifier;
    try {
        classifier =
            loadClassifier(QFile::encodeName(path).toStdString(), Architecture::TorchScript);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    try {
        const torch::InferenceMode inference;
        const torch::Tensor output = classifier->forward(torch::rand({3, 1, 28, 28}));
        if (output.dim() != 2 || output.size(0) != 3 || output.size(1) != ClassCount) {
            return QStringLiteral("%1 maps [3, 1, 28, 28] to %2, not to [3, 10] logits")
                .arg(path, QString::fromStdString(c10::str(output.sizes())));
        }
        if (output.scalar_type() != torch::kFloat32) {
            return QStringLiteral("%1 answers %2, not float32 logits")
                .arg(path, QString::fromLatin1(c10::toString(output.scalar_type())));
        }
    } catch (const std::exception &error) {
        // TorchScript errors carry the script's traceback; its last line says what went wrong.
        const QStringList lines =
            QString::fromUtf8(error.what()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        return QStringLiteral("%1 does not accept float [N, 1, 28, 28] input: %2")
            .arg(path, lines.isEmpty() ? QString() : lines.last().trimmed());
    }
    return {};
}

TorchScriptProbe TorchBackend::probeTorchScript(const QByteArray &bytes,
                                                const std::vector<QString> &inputs,
                                                const std::vector<int> &batchSizes)
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
        for (const QString &input : inputs) {
            for (const int batch : batchSizes) {
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

} // namespace digitdesk::models::detail
