// Import throughput, Release build: 10,000 PNG files and the 10,000-image IDX pair of the demo
// data, each into a fresh workspace, with the importer's parallel decoding and again with one
// thread, side by side in this process.
//
//   import_bench [DATA_DIR]
#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThreadPool>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>

using namespace digitdesk;

namespace {

annotation::ImportReport importInto(const QString &folder, const QStringList &paths, int threads)
{
    QThreadPool::globalInstance()->setMaxThreadCount(threads);
    const auto workspace = storage::Workspace::create(folder);
    const auto who =
        testing::addUser(*workspace, QStringLiteral("bench"), annotation::Role::MlEngineer);
    annotation::Importer importer(workspace->db(), workspace->blobs(), who);
    return importer.run(paths, {QStringLiteral("bench"), annotation::LabelPolicy::Approved});
}

void print(const char *what, int threads, const annotation::ImportReport &report)
{
    std::printf("%-34s threads=%d  images=%6lld  problems=%zu  %7.3f s  %8.0f images/s\n", what,
                threads, static_cast<long long>(report.imported), report.problems.size(),
                report.seconds, report.imported / report.seconds);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const QString data =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(DIGITDESK_DATA_DIR);
    const QString images = QDir(data).filePath(QStringLiteral("mnist-10k-images-idx3-ubyte"));
    const annotation::IdxArray digits = annotation::readIdxFile(images);
    const int cores = QThread::idealThreadCount();

    QTemporaryDir dir;
    const QString pngFolder = dir.filePath(QStringLiteral("png"));
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < digits.itemCount(); ++i) {
        // MNIST digits as a scanner would deliver them: dark ink on light paper, 28x28 PNG.
        cv::Mat digit(28, 28, CV_8U, const_cast<char *>(digits.data.constData() + i * 784));
        cv::Mat scan = 255 - digit;
        std::vector<uchar> png;
        cv::imencode(".png", scan, png);
        testing::writeFile(QStringLiteral("%1/%2/%3.png").arg(pngFolder).arg(i / 1000).arg(i),
                           QByteArray(reinterpret_cast<const char *>(png.data()),
                                      static_cast<qsizetype>(png.size())));
    }
    std::printf("wrote %lld PNG files in %.2f s (%d cores)\n\n",
                static_cast<long long>(digits.itemCount()), timer.nsecsElapsed() / 1e9, cores);

    print("10,000 PNG files (folder)", cores,
          importInto(dir.filePath(QStringLiteral("w1")), {pngFolder}, cores));
    print("10,000 PNG files (folder)", 1,
          importInto(dir.filePath(QStringLiteral("w2")), {pngFolder}, 1));
    print("10,000-image IDX pair", cores,
          importInto(dir.filePath(QStringLiteral("w3")), {images}, cores));
    print("10,000-image IDX pair", 1, importInto(dir.filePath(QStringLiteral("w4")), {images}, 1));
    return 0;
}
