#pragma once

// learning_curve's figures: the labels each policy needs to reach a held-out accuracy, the
// curves as CSV, and as a PNG drawn with Qt Charts (which needs a QApplication).

#include "tests/bench/learningcurvesim.h"

#include <QString>

#include <vector>

namespace digitdesk::bench {

// The labels at the first point of the curve at or above `target`; -1 when it never gets there.
int labelsToReach(const CurveRun &run, double target);

// A table under `title`: per policy, the labels to each target and the gold answers, and in a
// noisy run the annotator's wrong answers and how many of them the reviewer caught.
void printTargets(const QString &title, const std::vector<CurveRun> &runs,
                  const std::vector<Policy> &policies, const std::vector<double> &targets);

// One row per point: policy, wrong_answers (the annotator's share of wrong answers in that
// run), seed, round, labels, training_images, accuracy. Returns an empty
// string, or why the file could not be written.
QString writeCurveCsv(const QString &path, const std::vector<CurveRun> &runs);

// Accuracy against labels, one line per policy (the mean over seeds) over a shaded band from
// the lowest to the highest seed, and the targets as dashed lines. Returns an empty string, or
// why the file could not be written.
QString writeCurveChart(const QString &path, const QString &title,
                        const std::vector<CurveRun> &runs, const std::vector<Policy> &policies,
                        const std::vector<double> &targets);

} // namespace digitdesk::bench
