#include "app/cli/console.h"

#include <QTextStream>

#include <cstdio>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace digitdesk::app {

void printOut(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) != 0;
}

bool stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) != 0;
}

namespace {

QString readLine()
{
    std::string line;
    if (!std::getline(std::cin, line)) {
        return {};
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return QString::fromStdString(line);
}

QString readHidden(const QString &prompt)
{
    std::fputs(prompt.toUtf8().constData(), stderr);
    std::fflush(stderr);
    termios saved{};
    ::tcgetattr(STDIN_FILENO, &saved);
    termios hidden = saved;
    hidden.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &hidden);
    QString line = readLine();
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputc('\n', stderr);
    return line;
}

} // namespace

QString readPassword(const QString &prompt, bool confirm)
{
    if (!stdinIsTerminal()) {
        return readLine();
    }
    QString first = readHidden(prompt);
    if (confirm && readHidden(QStringLiteral("Repeat the password: ")) != first) {
        throw std::runtime_error("the two passwords differ");
    }
    return first;
}

void ProgressLine::update(qint64 done, qint64 total)
{
    const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
    if (stderrIsTerminal()) {
        std::fprintf(stderr, "\r%s: %lld / %lld (%d%%)", m_what.toUtf8().constData(),
                     static_cast<long long>(done), static_cast<long long>(total), percent);
        std::fflush(stderr);
        m_active = true;
    } else if (percent / 10 != m_lastPercent / 10) {
        std::fprintf(stderr, "%s: %lld / %lld (%d%%)\n", m_what.toUtf8().constData(),
                     static_cast<long long>(done), static_cast<long long>(total), percent);
    }
    m_lastPercent = percent;
}

void ProgressLine::finish()
{
    if (m_active) {
        std::fputc('\n', stderr);
        m_active = false;
    }
}

QString oneLine(const QString &typed)
{
    QString line;
    line.reserve(typed.size());
    for (const QChar c : typed) {
        if (c.category() == QChar::Other_Control) {
            line += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        } else {
            line += c;
        }
    }
    return line;
}

} // namespace digitdesk::app
