#pragma once

#include <QColor>
#include <QGuiApplication>
#include <QPalette>
#include <QString>

namespace digitdesk::ui {

// Light or dark: the desktop's own palette by default, or one chosen in View > Appearance
// (kept in QSettings for every user of this account), or DIGITDESK_APPEARANCE=light|dark,
// which wins over both (screenshots under Xvfb).
enum class Appearance
{
    FollowDesktop,
    Light,
    Dark
};

inline constexpr const char *AppearanceVariable = "DIGITDESK_APPEARANCE";

QString toString(Appearance appearance); // "desktop", "light", "dark"
bool parseAppearance(const QString &text, Appearance *appearance);

// What the person chose in View > Appearance (FollowDesktop when nothing was chosen).
Appearance savedAppearance();
void saveAppearance(Appearance appearance);
// The environment's override, when DIGITDESK_APPEARANCE names one.
bool appearanceFromEnvironment(Appearance *appearance);
// The override, else the saved choice.
Appearance effectiveAppearance();

// Applies it to the whole application: Light and Dark are the Fusion style with DigitDesk's
// palettes; FollowDesktop gives back the style and palette the platform gave at start-up.
void applyAppearance(Appearance appearance);
QPalette lightPalette();
QPalette darkPalette();
bool isDark(const QPalette &palette);

// What a coloured text means, in a colour that keeps a contrast of 4.5:1 or more on the
// palette's window and base colours, light or dark.
enum class Tone
{
    Error,
    Warning,
    Success,
    Muted
};
QColor toneColor(Tone tone, const QPalette &palette = QGuiApplication::palette());
// "color: #b00020;" (bold: "color: ...; font-weight: bold;") for a label's style sheet.
QString toneStyle(Tone tone, bool bold = false);

// A box that stands out from the window: its background, text and border colours as a style
// sheet fragment (the caller adds padding).
enum class Notice
{
    Attention, // yellow: read this first
    Caution,   // orange: something may be wrong
    Help       // pale yellow: how to do it
};
QString noticeStyle(Notice notice);

} // namespace digitdesk::ui
