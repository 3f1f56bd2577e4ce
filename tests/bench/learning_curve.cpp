// learning_curve: does the queue's order save annotators' time? Release build.
//
//     learning_curve [DATA_DIR] [--seeds N] [--rounds N] [--policies P,Q]
//                    [--noisy-policies P,Q|none] [--quick] [--out FOLDER]
//
// On the demo's 10,000 digits (DATA_DIR defaults to the folder `make data` fills): 2,000 are a
// fixed held-out set that is never labelled; of the rest each seed imports 500 as approved
// labels (25 of them marked gold by a reviewer) and the others as incoming. A model is trained
// on the 500, registered and promoted. Then, each round, a simulated annotator labels 250 items
// in the order a policy chooses and a simulated reviewer approves each label (ReviewService);
// the model is retrained on the approved labels from the previous round's weights (fixed
// epochs), registered and promoted, and its held-out accuracy recorded. Policies:
//   - the product's queue as configured by default: AnnotationService::next() over the
//     production model's stored predictions (calibrated least confidence, with its 5% audit of
//     the most confident answers and its 5% gold items, which teach the model nothing new);
//   - pure margin and entropy of the calibrated probabilities, and random order, labelled
//     through AnnotationService::label();
//   - on request (--policies): least confidence alone, and least confidence taken round-robin
//     over the predicted classes or over the (first, second) class pairs, the batch-diverse
//     orders measured against the default.
// A second pass (--noisy-policies, default: the queue and random order) has the annotator give
// 3% wrong answers, half of which the reviewer catches and corrects; the others are learnt.
// Prints the labels each policy needs to reach 97%, 98% and 98.5% (mean and range over seeds),
// CPU and wall time, and writes learning_curve.csv, learning_curve.png and
// learning_curve_noisy.png (Qt Charts, offscreen) into --out (default: beside the executable).
// --quick (2 seeds, 4 rounds) takes about 2 minutes on two idle cores; every run prints its CPU
// and wall time at the end.
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
    std::vector<Policy> policies = {Policy::DefaultQueue, Policy::Margin, Policy::Entropy,
                                    Policy::Random};
    std::vector<Policy> noisyPolicies = {Policy::DefaultQueue, Policy::Random};
    CurveSettings settings;
};

// "default,random" into policies; "none" is an empty list.
bool policiesOf(const QString &option, const QString &list, std::vector<Policy> &into,
                QString &error)
{
    into.clear();
    if (list == QStringLiteral("none")) {
        return true;
    }
    for (const QString &key : list.split(QLatin1Char(','))) {
        const std::optional<Policy> policy = policyOf(key.trimmed());
        if (!policy) {
            error = QStringLiteral("%1: unknown policy \"%2\"; choose from default, margin, "
                                   "entropy, random, least-confidence, class-strata, pair-strata, "
                                   "or none")
                        .arg(option, key);
            return false;
        }
        into.push_back(*policy);
    }
    return true;
}

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
        } else if (argument == QStringLiteral("--policies") ||
                   argument == QStringLiteral("--noisy-policies")) {
            const QString list = i + 1 < arguments.size() ? arguments.at(++i) : QString();
            if (!policiesOf(argument, list,
                            argument == QStringLiteral("--policies") ? options.policies
                                                                     : options.noisyPolicies,
                            error)) {
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
                     "[--rounds N] [--policies P,Q] [--noisy-policies P,Q|none] [--quick] "
                     "[--out FOLDER]\n",
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
    const std::vector<double> targets = {0.97, 0.98, 0.985};
    CurveSettings noisy = options.settings;
    noisy.wrongAnswers = 0.03;
    noisy.reviewerCatches = 0.5;
    struct Pass
    {
        QString key;   // the PNG's name
        QString title; // of the table and the chart
        const std::vector<Policy> &policies;
        CurveSettings settings;
        std::vector<CurveRun> runs;
    };
    std::vector<Pass> passes = {
        {QStringLiteral("learning_curve"),
         QStringLiteral("Right answers: held-out accuracy against labels (mean over seeds, seed "
                        "range shaded)"),
         options.policies,
         options.settings,
         {}},
        {QStringLiteral("learning_curve_noisy"),
         QStringLiteral("3% wrong answers, half of them caught by the reviewer: held-out accuracy "
                        "against labels"),
         options.noisyPolicies,
         noisy,
         {}}};

    QElapsedTimer wall;
    wall.start();
    const double cpuAtStart = cpuSeconds();
    try {
        const Digits digits = readDemoDigits(options.dataDir);
        const CurveSettings &settings = options.settings;
        const DigitSplit split = splitDigits(digits, settings.heldOut);
        std::printf("learning_curve: %d digits, %zu held out, %d labelled at the start, %d per "
                    "round, %d rounds, %d seeds; epochs %d at the start, %d per round (warm "
                    "start)\n",
                    digits.count(), split.heldOut.size(), settings.start, settings.batch,
                    settings.rounds, options.seeds, settings.startEpochs, settings.roundEpochs);
        QTemporaryDir work;
        for (Pass &pass : passes) {
            for (int seed = 1; seed <= options.seeds; ++seed) {
                for (Policy policy : pass.policies) {
                    const QString folder = work.filePath(
                        QStringLiteral("%1-%2-%3").arg(pass.key, keyOf(policy)).arg(seed));
                    QElapsedTimer timer;
                    timer.start();
                    pass.runs.push_back(runCurve(
                        digits, split, policy, seed, pass.settings, folder,
                        [&pass](const QString &line) {
                            std::printf("  %s%s\n", pass.settings.wrongAnswers > 0 ? "noisy: " : "",
                                        qPrintable(line));
                            std::fflush(stdout);
                        }));
                    std::printf("  (%.1f s, %.1f s of it training)\n",
                                static_cast<double>(timer.elapsed()) / 1000,
                                pass.runs.back().trainingSeconds);
                    QDir(folder).removeRecursively();
                }
            }
        }
    } catch (const std::exception &failure) {
        std::fprintf(stderr, "learning_curve: %s\n", failure.what());
        return 1;
    }

    std::vector<CurveRun> allRuns;
    for (const Pass &pass : passes) {
        if (pass.runs.empty()) {
            continue;
        }
        std::printf("\n");
        printTargets(pass.title + QStringLiteral("\nlabels needed to reach the held-out accuracy: "
                                                 "mean (range) over seeds"),
                     pass.runs, pass.policies, targets);
        allRuns.insert(allRuns.end(), pass.runs.begin(), pass.runs.end());
    }
    std::printf("total: %.0f s of CPU time, %.0f s wall (%d threads)\n", cpuSeconds() - cpuAtStart,
                static_cast<double>(wall.elapsed()) / 1000, QThread::idealThreadCount());
    const QString csv = QDir(options.outDir).filePath(QStringLiteral("learning_curve.csv"));
    QString failure = writeCurveCsv(csv, allRuns);
    QStringList written = {csv};
    for (const Pass &pass : passes) {
        if (failure.isEmpty() && !pass.runs.empty()) {
            const QString png = QDir(options.outDir).filePath(pass.key + QStringLiteral(".png"));
            failure = writeCurveChart(png, pass.title, pass.runs, pass.policies, targets);
            written << png;
        }
    }
    if (!failure.isEmpty()) {
        std::fprintf(stderr, "learning_curve: %s\n", qPrintable(failure));
        return 1;
    }
    std::printf("curves: %s\n", qPrintable(written.join(QStringLiteral("\n        "))));
    return 0;
}
