#include "app/cli/argumentparser.h"

#include "app/cli/console.h"
#include "app/cli/exitcodes.h"

namespace digitdesk::app {

ArgumentParser::ArgumentParser(QString usage, const QString &description)
    : m_usage(std::move(usage))
{
    m_parser.setApplicationDescription(description);
    m_parser.addOption(
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
}

void ArgumentParser::addWorkspaceOption()
{
    m_parser.addOption({QStringLiteral("workspace"),
                        QStringLiteral("The workspace folder (default: $DIGITDESK_WORKSPACE)."),
                        QStringLiteral("DIR")});
}

std::optional<int> ArgumentParser::parse(const QStringList &arguments, int minPositional,
                                         int maxPositional)
{
    if (!m_parser.parse(arguments)) {
        return usageError(m_parser.errorText());
    }
    if (m_parser.isSet(QStringLiteral("help"))) {
        // Qt's own first line is "Usage: digitdesk [options]": ours names the command instead.
        printOut(QStringLiteral("Usage: %1\n\n%2")
                     .arg(m_usage, m_parser.helpText().section(QLatin1Char('\n'), 1)));
        return ExitOk;
    }
    const auto count = m_parser.positionalArguments().size();
    if (count < minPositional) {
        return usageError(QStringLiteral("missing arguments"));
    }
    if (maxPositional >= 0 && count > maxPositional) {
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(m_parser.positionalArguments().value(maxPositional)));
    }
    return std::nullopt;
}

int ArgumentParser::usageError(const QString &reason) const
{
    printErr(QStringLiteral("digitdesk: %1\nUsage: %2\nRun with --help for the options.")
                 .arg(reason, m_usage));
    return ExitUsage;
}

QString subcommandOf(const QStringList &arguments, const QStringList &withValue)
{
    for (qsizetype at = 1; at < arguments.size(); ++at) {
        if (withValue.contains(arguments[at])) {
            ++at;
        } else if (!arguments[at].startsWith(QLatin1Char('-'))) {
            return arguments[at];
        }
    }
    return {};
}

std::optional<int> ArgumentParser::wholeNumber(const QString &name, qint64 lowest, qint64 highest,
                                               qint64 *result) const
{
    bool ok = false;
    *result = value(name).toLongLong(&ok);
    if (!ok || *result < lowest || *result > highest) {
        return usageError(QStringLiteral("--%1 takes a whole number from %2 to %3, not '%4'")
                              .arg(name)
                              .arg(lowest)
                              .arg(highest)
                              .arg(value(name)));
    }
    return std::nullopt;
}

std::optional<int> ArgumentParser::wholeNumber(const QString &name, int lowest, int highest,
                                               int *result) const
{
    qint64 wide = 0;
    const auto exit = wholeNumber(name, qint64{lowest}, qint64{highest}, &wide);
    *result = static_cast<int>(wide);
    return exit;
}

} // namespace digitdesk::app
