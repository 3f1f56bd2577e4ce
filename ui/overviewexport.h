#pragma once

#include "annotation/teamoverview.h"

#include <QColor>
#include <QString>

#include <optional>

namespace digitdesk::ui {

// The Overview's figures as files a manager passes on: every figure as a CSV row, and a
// one-page PDF report (a header, the key figures, the labels-per-day chart and the weekly
// quality table).
namespace overviewexport {

// One row per figure: figure,period,who,value. `period` is a UTC day (labels), a week's
// Monday (quality), a dataset version (models) or the span "2026-11-01..2026-11-30".
QString csv(const annotation::OverviewFigures &figures);
// Each returns why the file could not be written ("cannot write /x.pdf: ..."), else nothing.
std::optional<QString> writeCsv(const annotation::OverviewFigures &figures, const QString &path);
std::optional<QString> writePdf(const annotation::OverviewFigures &figures, const QString &path,
                                const QString &workspaceName);

// "November 2026" for a month's figures, "2026-11-01 – 2026-11-30" otherwise.
QString spanName(const annotation::OverviewFigures &figures);
// "45 min", "5 h 20 min", "3 d 4 h"; "none" for -1.
QString formatAge(qint64 seconds);
// The colour of the i-th annotator in the charts, in the view and the report alike.
QColor seriesColor(int index);

} // namespace overviewexport
} // namespace digitdesk::ui
