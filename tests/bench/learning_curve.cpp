// learning_curve: does the queue's order save annotators' time? Release build.
//
//     learning_curve [DATA_DIR] [--seeds N] [--rounds N] [--quick] [--out FOLDER]
//
// On the demo's 10,000 digits (DATA_DIR defaults to the folder `make data` fills): 2,000 are a
// fixed held-out set that is never labelled; of the rest each seed imports 500 as approved
// labels (25 of them marked gold by a reviewer) and the others as incoming. A model is trained
// on the 500, registered and promoted. Then, each round, a simulated annotator labels 250 items
// in the order a policy chooses, answering with the true label; the model is retrained from the
// previous round's weights (fixed epochs), registered and promoted, and its held-out accuracy
// recorded. Policies:
//   - the product's queue as configured by default: AnnotationService::next() over the
//     production model's stored predictions (calibrated least confidence, with its 5% audit of
//     the most confident answers and its 5% gold items, which teach the model nothing new);
//   - pure margin and entropy of the calibrated probabilities, and random order, labelled
//     through AnnotationService::label().
// Prints the labels each policy needs to reach 97%, 98% and 98.5% (mean and range over seeds),
// CPU and wall time, and writes learning_curve.csv and learning_curve.png (Qt Charts,
// offscreen) into --out (default: beside the executable).
// --quick (2 seeds, 4 rounds) takes about 90 s on two cores; every run prints its CPU and wall
// time at the end.
#include "tests/bench/learningcurvereport.h"
#include "tests/bench/learningcurvesim.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <ctime>
#include <exception>

using namespace digitdesk;
using namespace digitdesk::bench;

namespace {

struct Options
{
    QString dataDir = QStringLiteral(DIGITDESK_DATA_DIR);
    QString outDir;
    int seeds = 3;
    CurveSettings settings;
};

// Whole numbers in bounds, options in any order; a usage error says what is wrong.
bool parse(const QStringList &arguments, Options &options, QString &error)
{
    const auto wholeNumber = [&](qsizetype &i, int low, int high, int &into) {
        bool ok = false;
        const int value = i + 1 < arguments.size() ? arguments.at(i + 1).toInt(&ok) : 0;
        if (!ok || value < low || value > high) {
            error = QStringLiteral("%1 needs a whole number from %2 to %3")
                        .arg(arguments.at(i))
                        .arg(low)
                        .arg(high);
            return false;
        }
        into = value;
        ++i;
        return true;
    };
    bool quick = false;
    int seeds = -1;
    int rounds = -1;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QStringLiteral("--seeds")) {
            if (!wholeNumber(i, 1, 10, seeds)) {
                return false;
            }
        } else if (argument == QStringLiteral("--rounds")) {
            if (!wholeNumber(i, 0, 30, rounds)) {
                return false;
            }
        } else if (argument == QStringLiteral("--quick")) {
            quick = true;
        } else if (argument == QStringLiteral("--out")) {
            if (i + 1 >= arguments.size()) {
                error = QStringLiteral("--out needs a folder");
                return false;
            }
            options.outDir = arguments.at(++i);
        } else if (argument.startsWith(QStringLiteral("--"))) {
            error = QStringLiteral("unknown option %1").arg(argument);
            return false;
        } else {
            options.dataDir = argument;
        }
    }
    if (quick) {
        options.seeds = 2;
        options.settings.rounds = 4;
    }
    options.seeds = seeds > 0 ? seeds : options.seeds;
    options.settings.rounds = rounds >= 0 ? rounds : options.settings.rounds;
    return true;
}

double cpuSeconds()
{
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication application(argc, argv); // Qt Charts draws the PNG with widgets
    Options options;
    QString error;
    if (!parse(QCoreApplication::arguments(), options, error)) {
        std::fprintf(stderr,
                     "learning_curve: %s\nusage: learning_curve [DATA_DIR] [--seeds N] "
                     "[--rounds N] [--quick] [--out FOLDER]\n",
                     qPrintable(error));
        return 2;
    }
    if (options.outDir.isEmpty()) {
        options.outDir = QCoreApplication::applicationDirPath();
    }
    // Before the long run, not after it.
    if (!QDir().mkpath(options.outDir)) {
        std::fprintf(stderr, "learning_curve: cannot create the folder %s\n",
                     qPrintable(options.outDir));
        return 1;
    }
    const std::vector<Policy> policies = {Policy::DefaultQueue, Policy::Margin, Policy::Entropy,
                                          Policy::Random};
    const std::vector<double> targets = {0.97, 0.98, 0.985};
    const CurveSettings &settings = options.settings;

    QElapsedTimer wall;
    wall.start();
    const double cpuAtStart = cpuSeconds();
    std::vector<CurveRun> runs;
    try {
        const Digits digits = readDemoDigits(options.dataDir);
        const DigitSplit split = splitDigits(digits, settings.heldOut);
        std::printf("learning_curve: %d digits, %zu held out, %d labelled at the start, %d per "
                    "round, %d rounds, %d seeds; epochs %d at the start, %d per round (warm "
                    "start)\n",
                    digits.count(), split.heldOut.size(), settings.start, settings.batch,
                    settings.rounds, options.seeds, settings.startEpochs, settings.roundEpochs);
        QTemporaryDir work;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            for (Policy policy : policies) {
                const QString folder =
                    work.filePath(QStringLiteral("%1-%2").arg(keyOf(policy)).arg(seed));
                QElapsedTimer timer;
                timer.start();
                runs.push_back(runCurve(digits, split, policy, seed, settings, folder,
                                        [](const QString &line) {
                                            std::printf("  %s\n", qPrintable(line));
                                            std::fflush(stdout);
                                        }));
                std::printf("  (%.1f s, %.1f s of it training)\n",
                            static_cast<double>(timer.elapsed()) / 1000,
                            runs.back().trainingSeconds);
                QDir(folder).removeRecursively();
            }
        }
    } catch (const std::exception &failure) {
        std::fprintf(stderr, "learning_curve: %s\n", failure.what());
        return 1;
    }

    std::printf("\n");
    printTargets(runs, policies, targets);
    std::printf("total: %.0f s of CPU time, %.0f s wall (%d threads)\n", cpuSeconds() - cpuAtStart,
                static_cast<double>(wall.elapsed()) / 1000, QThread::idealThreadCount());
    const QString csv = QDir(options.outDir).filePath(QStringLiteral("learning_curve.csv"));
    const QString png = QDir(options.outDir).filePath(QStringLiteral("learning_curve.png"));
    QString failure = writeCurveCsv(csv, runs);
    if (failure.isEmpty()) {
        failure = writeCurveChart(png, runs, policies, targets);
    }
    if (!failure.isEmpty()) {
        std::fprintf(stderr, "learning_curve: %s\n", qPrintable(failure));
        return 1;
    }
    std::printf("curves: %s\n        %s\n", qPrintable(csv), qPrintable(png));
    return 0;
}
