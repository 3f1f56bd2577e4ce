#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>

namespace digitdesk::app {

// QCommandLineParser with the conventions of every subcommand: --help prints the usage and
// exits 0, a wrong argument prints the reason and the usage and exits 1 (ExitUsage).
class ArgumentParser final
{
public:
    ArgumentParser(QString usage, const QString &description);

    void addOption(const QCommandLineOption &option) { m_parser.addOption(option); }
    void addWorkspaceOption();
    // Returns an exit code when the command must stop here (help shown or usage error).
    std::optional<int> parse(const QStringList &arguments, int minPositional, int maxPositional);

    QStringList positional() const { return m_parser.positionalArguments(); }
    QString value(const QString &name) const { return m_parser.value(name); }
    bool isSet(const QString &name) const { return m_parser.isSet(name); }
    QString workspace() const { return m_parser.value(QStringLiteral("workspace")); }
    int usageError(const QString &reason) const;
    // The option's value as a whole number from `lowest` to `highest`; otherwise the exit code of
    // a usage error that names the option, the range and the value given.
    std::optional<int> wholeNumber(const QString &name, qint64 lowest, qint64 highest,
                                   qint64 *result) const;
    std::optional<int> wholeNumber(const QString &name, int lowest, int highest, int *result) const;

private:
    QCommandLineParser m_parser;
    QString m_usage;
};

// The first word after the command that is neither an option nor the value of one of
// `withValue` ("--workspace", ...), so a subcommand may come after the options.
QString subcommandOf(const QStringList &arguments, const QStringList &withValue);

} // namespace digitdesk::app
