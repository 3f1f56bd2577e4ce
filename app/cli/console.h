#pragma once

#include <QString>

namespace digitdesk::app {

// Plain output for the command line: results on stdout, messages on stderr.
void printOut(const QString &text);
void printErr(const QString &text);
// Text someone typed (a reason, a name) on one line: control characters (newlines, escape
// sequences) shown as \uXXXX rather than acted on by the terminal.
QString oneLine(const QString &typed);
bool stdinIsTerminal();
bool stderrIsTerminal();

// Reads a password: from the terminal with echo off (asked twice when `confirm`), or one line
// from stdin when it is not a terminal. Never from the command line, where `ps` would show it.
QString readPassword(const QString &prompt, bool confirm);

// A progress line that rewrites itself on a terminal and prints every 10% otherwise.
class ProgressLine final
{
public:
    explicit ProgressLine(QString what) : m_what(std::move(what)) {}
    void update(qint64 done, qint64 total);
    void finish();

private:
    QString m_what;
    int m_lastPercent = -1;
    bool m_active = false;
};

} // namespace digitdesk::app
