// Key press to next image painted in the annotate view, with 100,000 items in the queue:
// p50 and p99 over 1,000 labels, and the process's peak memory. Release build, offscreen.
//
//   annotate_bench [ITEMS] [LABELS]
#include "annotation/authservice.h"
#include "tests/support/testdata.h"
#include "ui/annotateview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

using namespace digitdesk;

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication application(argc, argv);
    const int items = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int labels = argc > 2 ? std::atoi(argv[2]) : 1000;

    testing::TempWorkspace temp;
    QElapsedTimer setup;
    setup.start();
    std::vector<double> confidences(static_cast<size_t>(items));
    for (int i = 0; i < items; ++i) {
        confidences[static_cast<size_t>(i)] = 0.3 + 0.7 * ((i * 7919) % items) / items;
    }
    testing::addPredictedImages(*temp.workspace, confidences);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const auto ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("bench"))
            .principal;
    std::printf("queue of %d items with predictions made in %.1f s\n", items,
                setup.elapsed() / 1000.0);

    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(900, 700);
    view.show();
    while (view.currentImageId() == 0 || view.isBusy()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    std::vector<double> latencies;
    for (int i = 0; i < labels; ++i) {
        const qint64 before = view.currentImageId();
        QElapsedTimer timer;
        timer.start();
        QTest::keyClick(&view, static_cast<Qt::Key>(Qt::Key_0 + i % 10));
        while (view.isBusy() || view.currentImageId() == before) {
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 1);
        }
        view.repaint(); // painted, not only scheduled
        latencies.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(latencies.begin(), latencies.end());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "key press to next image painted over %d labels: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        labels, latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100],
        latencies.back());
    std::printf("peak memory (max RSS): %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
}
