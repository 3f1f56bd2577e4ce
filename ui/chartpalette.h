#pragma once

#include "ui/appearance.h"

#include <QChart>
#include <QColor>
#include <QPalette>

namespace digitdesk::ui {

// Qt Charts paints its own background and axis text from the chart's theme, not from the
// palette: a chart left light on a dark palette shows the palette's light labels on white. Call
// before adding axes and series, which take the theme's colours as they are added.
inline void matchChartToPalette(QChart *chart, const QPalette &palette)
{
    chart->setTheme(isDark(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
}

// The charts' main blue: deep on a light chart, lighter on a dark one.
inline QColor chartBlue(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x64, 0xb5, 0xf6) : QColor(0x15, 0x65, 0xc0);
}

// A series colour chosen for a light chart, lightened enough to read on a dark one.
inline QColor seriesColor(const QPalette &palette, const QColor &onLight)
{
    return isDark(palette) ? onLight.lighter(170) : onLight;
}

} // namespace digitdesk::ui
