// Inference throughput, Release build: DigitDesk's own network and PyTorch's example MNIST
// network at batch 1, 8, 32 and 128 on the intra-op threads given, with the FLOPs per image
// and the share of the CPU's measured peak (a large float matrix product) this reaches.
//
//   infer_bench [DATA_DIR] [--threads N] [--model-file FILE --architecture A]
#include "annotation/idxfile.h"
#include "models/flopcount.h"
#include "models/predictor.h"
#include "models/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace digitdesk;

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const QStringList arguments = application.arguments();
    const qsizetype threadsAt = arguments.indexOf(QStringLiteral("--threads"));
    const int threads = threadsAt > 0 ? arguments.value(threadsAt + 1).toInt() : 2;
    const QString data = arguments.size() > 1 && !arguments.at(1).startsWith(QLatin1Char('-'))
                             ? arguments.at(1)
                             : QStringLiteral(DIGITDESK_DATA_DIR);
    const annotation::IdxArray images =
        annotation::readIdxFile(QDir(data).filePath(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const auto *pixels = reinterpret_cast<const uint8_t *>(images.data.constData());

    models::setIntraOpThreads(threads);
    const double peak = models::measurePeakGflops();
    std::printf("threads=%d  measured peak (2048x2048 float matmul): %.1f GFLOP/s\n\n", threads,
                peak);

    QTemporaryDir dir;
    for (models::Architecture architecture :
         {models::Architecture::DigitNet, models::Architecture::ExampleNet}) {
        // Untrained weights compute exactly as many FLOPs as trained ones.
        const QString file = dir.filePath(models::toString(architecture) + QStringLiteral(".pt"));
        models::saveUntrained(architecture, file);
        auto predictor =
            models::Predictor::load(file, architecture, 1.0, models::DeviceRequest::Cpu);
        const double flops = models::flopsPerImage(architecture);
        std::printf("%-11s %.2f MFLOP/image\n", qPrintable(models::toString(architecture)),
                    flops / 1e6);
        for (int batch : {1, 8, 32, 128}) {
            predictor->predict(pixels, batch); // warm-up
            // Seven rounds of 0.3 s: the median is the figure, the best shows what a quiet
            // machine gives (this one is shared and its neighbours are noisy).
            std::vector<double> rates;
            int offset = 0;
            for (int round = 0; round < 7; ++round) {
                QElapsedTimer timer;
                timer.start();
                qint64 done = 0;
                while (timer.elapsed() < 300) {
                    if (offset + batch > 10000) {
                        offset = 0;
                    }
                    predictor->predict(pixels + static_cast<size_t>(offset) * 784, batch);
                    offset += batch;
                    done += batch;
                }
                rates.push_back(static_cast<double>(done) /
                                (static_cast<double>(timer.nsecsElapsed()) / 1e9));
            }
            std::sort(rates.begin(), rates.end());
            const double rate = rates[rates.size() / 2];
            std::printf(
                "  batch %3d  median %8.0f images/s (best %8.0f)  %6.1f GFLOP/s  %5.1f%% of peak\n",
                batch, rate, rates.back(), rate * flops / 1e9, 100.0 * rate * flops / 1e9 / peak);
        }
    }
    return 0;
}
