// The watched inbox, Release build, `digitdesk watch` as a child process on a fresh workspace
// with an (untrained) DigitNet as the production model:
//  1. a burst of N PNG scans (default 10,000) renamed into the inbox at once: files per second
//     from the drop to the last one predicted in the queue, while an annotator labels through
//     AnnotationService (the label commit's p50/p99, the write lock shared with the burst);
//  2. single files dropped one at a time into the idle inbox: the latency from the rename to
//     the image's prediction in the database (p50, p99).
//
//   inbox_bench [BURST_FILES] [SINGLE_FILES] [BATCH]
#include "tests/support/inboxfixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <cstdio>

using namespace digitdesk;

namespace {

void waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (!condition() && waited.elapsed() < timeoutMs) {
        QThread::usleep(500);
    }
}

void printLatencies(const char *what, const std::vector<double> &values)
{
    std::printf("%-44s n=%zu  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", what, values.size(),
                testing::quantile(values, 0.5), testing::quantile(values, 0.99),
                testing::quantile(values, 1));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const int burst = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int singles = argc > 2 ? std::atoi(argv[2]) : 200;
    const QString batch = argc > 3 ? QString::fromLocal8Bit(argv[3]) : QStringLiteral("64");

    testing::TempWorkspace temp;
    testing::addProductionModel(temp);
    testing::addPredictedImages(*temp.workspace, std::vector<double>(3000, 0.5));
    const auto annotator =
        testing::addUser(*temp.workspace, QStringLiteral("ann"), annotation::Role::Annotator);
    testing::setSetting(*temp.workspace, annotation::InboxSettleSetting, QStringLiteral("0"));
    const QString inbox = temp.dir.filePath(QStringLiteral("inbox"));
    const QString staging = temp.dir.filePath(QStringLiteral("staging"));
    QDir().mkpath(inbox);
    QDir().mkpath(staging);
    QStringList names;
    qint64 bytes = 0;
    for (int i = 0; i < burst; ++i) {
        const QByteArray scan = testing::strokeScan(i);
        names << QStringLiteral("scan-%1.png").arg(i);
        testing::writeFile(QDir(staging).filePath(names.back()), scan);
        bytes += scan.size();
    }
    std::printf("%d PNG scans of 96x96, %.1f KiB on average; batches of %s files\n", burst,
                static_cast<double>(bytes) / burst / 1024, qPrintable(batch));

    testing::WatchProcess watch(
        temp.folder(), {QStringLiteral("--path"), inbox, QStringLiteral("--batch"), batch});
    waitFor(
        [&] {
            return annotation::InboxControl(temp.workspace->db())
                       .state(annotation::Principal::localOperator())
                       .state == QStringLiteral("watching");
        },
        60000);

    QElapsedTimer clock;
    clock.start();
    for (const QString &name : names) {
        QFile::rename(QDir(staging).filePath(name), QDir(inbox).filePath(name));
    }
    const double dropped = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    // A file's row is written once its batch is imported and predicted (an image the annotator
    // labels before its prediction keeps none, so the predictions alone would never all come).
    const auto recorded = [&] {
        return testing::countOf(*temp.workspace,
                                QStringLiteral("SELECT COUNT(*) FROM inbox_files"));
    };
    const std::vector<double> commits =
        testing::labelCommitsWhile(*temp.workspace, annotator, [&] { return recorded() < burst; });
    waitFor([&] { return recorded() >= burst; }, 3600000);
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    std::printf("burst: %d files renamed in %.2f s, all predicted in the queue after %.2f s: "
                "%.0f files/s\n",
                burst, dropped, seconds, burst / seconds);
    printLatencies("label commits during the burst", commits);

    std::vector<double> latencies;
    for (int i = 0; i < singles; ++i) {
        const qint64 before = testing::predictedInboxImages(*temp.workspace);
        const QString name = QStringLiteral("single-%1.png").arg(i);
        testing::writeFile(QDir(staging).filePath(name), testing::strokeScan(burst + i));
        QElapsedTimer latency;
        latency.start();
        QFile::rename(QDir(staging).filePath(name), QDir(inbox).filePath(name));
        waitFor([&] { return testing::predictedInboxImages(*temp.workspace) > before; }, 60000);
        latencies.push_back(static_cast<double>(latency.nsecsElapsed()) / 1e6);
    }
    printLatencies("one file: rename to predicted in the queue", latencies);
    watch.signal(SIGTERM);
    watch.process().waitForFinished(60000);
    return 0;
}
