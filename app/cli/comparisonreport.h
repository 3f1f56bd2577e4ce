#pragma once

#include "annotation/modelcomparison.h"

#include <QJsonObject>
#include <QString>

namespace digitdesk::app {

// A comparison as a person reads it on a terminal: per set, both models' accuracy with its
// confidence interval, ECE, what each learnt from, the McNemar line, the verdict, the first
// disagreements and the per-class recall.
QString formatComparison(const annotation::ModelComparisonResult &result);

// The same figures for scripts, with the confusion matrices, the reliability bins and every
// disagreement kept (without pixels).
QJsonObject comparisonJson(const annotation::ModelComparisonResult &result);

} // namespace digitdesk::app
