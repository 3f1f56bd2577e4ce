#pragma once

#include "ui/datacheckworker.h"

#include <QString>

namespace digitdesk::ui {

// The Checks tab's words for a page: the headline (figures, thresholds, reviewers' precision)
// and the details (near-duplicates and leakage, class balance, label drift, outliers).
QString checkSummaryText(const DataCheckPage &page);
QString checkDetailsText(const DataCheckPage &page);

} // namespace digitdesk::ui
