#pragma once

#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace digitdesk::testing {

// A real X server (Xvfb) for the end-to-end GUI tests, driven as a person would with xdotool
// (keys typed into the focused window) and looked at through screenshots (ImageMagick's
// import). Nothing here talks to the application's widgets: only to the X server.
class XDesktop final
{
public:
    XDesktop();
    ~XDesktop();
    XDesktop(const XDesktop &) = delete;
    XDesktop &operator=(const XDesktop &) = delete;

    // Empty when the server is up, else why it is not.
    QString startError() const { return m_error; }
    QString display() const { return m_display; }
    // What a program started on this display needs: DISPLAY, the xcb platform, and its own
    // config and runtime folders, so that nothing of the person running the tests is touched.
    QProcessEnvironment environment() const;

    // The id of the first visible window whose title matches the regular expression, waiting
    // up to `timeoutMs` for it; 0 when none appeared.
    qulonglong waitForWindow(const QString &titleRegex, int timeoutMs = 20000) const;
    bool hasWindow(const QString &titleRegex) const;
    // Gives the window the keyboard focus, then types or presses keys (xdotool's names:
    // "Return", "Tab", "ctrl+2", "BackSpace").
    bool focus(qulonglong window) const;
    bool type(const QString &text) const;
    bool keys(const QStringList &keys) const;
    QImage screenshot() const;
    // A screenshot once the screen has not changed for `quietMs` (what the keys did is drawn).
    QImage settledScreenshot(int quietMs = 150, int timeoutMs = 15000) const;
    // The first screenshot that differs from `from`: a sign that a key was handled. Returns
    // one equal to `from` when nothing changed within `timeoutMs`.
    QImage changedScreenshot(const QImage &from, int timeoutMs = 10000) const;

    // Runs xdotool; its standard output, or a null string when it failed.
    QString xdotool(const QStringList &arguments, int timeoutMs = 10000) const;

private:
    QProcess m_server;
    QTemporaryDir m_home;
    QString m_display;
    QString m_error;
};

} // namespace digitdesk::testing
