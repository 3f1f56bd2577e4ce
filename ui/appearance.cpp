#include "ui/appearance.h"

#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

#include <memory>

namespace digitdesk::ui {
namespace {

const QString AppearanceKey = QStringLiteral("appearance/mode");

// The platform's own look, kept from before DigitDesk first changed it.
struct DesktopLook
{
    QString styleName;
};

const DesktopLook &desktopLook()
{
    static const DesktopLook look{QApplication::style() ? QApplication::style()->name()
                                                        : QStringLiteral("fusion")};
    return look;
}

// Every role set explicitly, so that no role falls back to the platform's palette.
QPalette resolvedCopy(const QPalette &from)
{
    QPalette palette;
    for (int group = 0; group < QPalette::NColorGroups; ++group) {
        for (int role = 0; role < QPalette::NColorRoles; ++role) {
            const auto g = static_cast<QPalette::ColorGroup>(group);
            const auto r = static_cast<QPalette::ColorRole>(role);
            palette.setColor(g, r, from.color(g, r));
        }
    }
    return palette;
}

} // namespace

QString toString(Appearance appearance)
{
    switch (appearance) {
    case Appearance::FollowDesktop:
        return QStringLiteral("desktop");
    case Appearance::Light:
        return QStringLiteral("light");
    case Appearance::Dark:
        return QStringLiteral("dark");
    }
    return {};
}

bool parseAppearance(const QString &text, Appearance *appearance)
{
    for (Appearance candidate : {Appearance::FollowDesktop, Appearance::Light, Appearance::Dark}) {
        if (text.trimmed().compare(toString(candidate), Qt::CaseInsensitive) == 0) {
            *appearance = candidate;
            return true;
        }
    }
    return false;
}

Appearance savedAppearance()
{
    Appearance appearance = Appearance::FollowDesktop;
    parseAppearance(QSettings().value(AppearanceKey).toString(), &appearance);
    return appearance;
}

void saveAppearance(Appearance appearance)
{
    QSettings().setValue(AppearanceKey, toString(appearance));
}

bool appearanceFromEnvironment(Appearance *appearance)
{
    const QString text = qEnvironmentVariable(AppearanceVariable);
    if (text.isEmpty()) {
        return false;
    }
    if (!parseAppearance(text, appearance)) {
        qWarning("%s=%s is not light, dark or desktop; ignored", AppearanceVariable,
                 qPrintable(text));
        return false;
    }
    return true;
}

Appearance effectiveAppearance()
{
    Appearance appearance = Appearance::FollowDesktop;
    return appearanceFromEnvironment(&appearance) ? appearance : savedAppearance();
}

QPalette lightPalette()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    return resolvedCopy(fusion->standardPalette());
}

QPalette darkPalette()
{
    QPalette palette;
    const auto set = [&palette](QPalette::ColorRole role, QColor color) {
        palette.setColor(QPalette::All, role, color);
    };
    set(QPalette::Window, QColor(45, 45, 48));
    set(QPalette::WindowText, QColor(232, 232, 232));
    set(QPalette::Base, QColor(30, 30, 32));
    set(QPalette::AlternateBase, QColor(40, 40, 44));
    set(QPalette::ToolTipBase, QColor(60, 60, 64));
    set(QPalette::ToolTipText, QColor(232, 232, 232));
    set(QPalette::PlaceholderText, QColor(150, 150, 150));
    set(QPalette::Text, QColor(232, 232, 232));
    set(QPalette::Button, QColor(55, 55, 60));
    set(QPalette::ButtonText, QColor(232, 232, 232));
    set(QPalette::BrightText, QColor(255, 120, 120));
    set(QPalette::Light, QColor(85, 85, 90));
    set(QPalette::Midlight, QColor(70, 70, 75));
    set(QPalette::Mid, QColor(40, 40, 44));
    set(QPalette::Dark, QColor(25, 25, 28));
    set(QPalette::Shadow, QColor(10, 10, 10));
    set(QPalette::Highlight, QColor(42, 130, 218));
    set(QPalette::HighlightedText, QColor(255, 255, 255));
    set(QPalette::Link, QColor(110, 175, 255));
    set(QPalette::LinkVisited, QColor(190, 150, 255));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        palette.setColor(QPalette::Disabled, role, QColor(130, 130, 130));
    }
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(80, 80, 80));
    palette.setColor(QPalette::Disabled, QPalette::HighlightedText, QColor(130, 130, 130));
    return palette;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() <
           palette.color(QPalette::WindowText).lightness();
}

void applyAppearance(Appearance appearance)
{
    const DesktopLook &desktop = desktopLook();
    switch (appearance) {
    case Appearance::FollowDesktop:
        QApplication::setStyle(desktop.styleName);
        // An empty palette resolves to the platform's, and follows it when it changes.
        QApplication::setPalette(QPalette());
        break;
    case Appearance::Light:
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(lightPalette());
        break;
    case Appearance::Dark:
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(darkPalette());
        break;
    }
}

QColor toneColor(Tone tone, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (tone) {
    case Tone::Error:
        return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20);
    case Tone::Warning:
        return dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0xa8, 0x3c, 0x00);
    case Tone::Success:
        return dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x1b, 0x5e, 0x20);
    case Tone::Muted:
        return dark ? QColor(0xb4, 0xb4, 0xb4) : QColor(0x55, 0x55, 0x55);
    }
    return palette.color(QPalette::WindowText);
}

QString toneStyle(Tone tone, bool bold)
{
    QString style = QStringLiteral("color: %1;").arg(toneColor(tone).name());
    if (bold) {
        style += QStringLiteral(" font-weight: bold;");
    }
    return style;
}

QString noticeStyle(Notice notice)
{
    const bool dark = isDark(QGuiApplication::palette());
    switch (notice) {
    case Notice::Attention:
        return dark ? QStringLiteral("background: #4a3c00; color: #fff4ce;")
                    : QStringLiteral("background: #fff4ce; color: #1f1f1f;");
    case Notice::Caution:
        return dark ? QStringLiteral("background: #4a2600; color: #ffe0c2; border: 1px solid "
                                     "#ff9800;")
                    : QStringLiteral("background: #fff4e5; color: #1f1f1f; border: 1px solid "
                                     "#e65100;");
    case Notice::Help:
        return dark ? QStringLiteral("background: #3a3500; color: #fffbe6; border: 1px solid "
                                     "#d4b106;")
                    : QStringLiteral("background: #fffbe6; color: #1f1f1f; border: 1px solid "
                                     "#d4b106;");
    }
    return {};
}

} // namespace digitdesk::ui
