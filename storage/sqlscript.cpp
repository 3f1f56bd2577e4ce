#include "storage/sqlscript.h"

#include "storage/storageerror.h"

#include <QRegularExpression>

namespace digitdesk::storage {
namespace {

// Where the scan is at the end of a line: inside a quoted string, inside a dollar-quoted
// body (`tag` is what is between its dollars, maybe nothing), or in plain SQL.
struct ScanState
{
    bool inQuote = false;
    bool inDollarQuote = false;
    QString tag;

    bool insideQuotes() const { return inQuote || inDollarQuote; }
};

// The length of the dollar quote `$tag$` starting at `at`, or 0 for none: the tag is a name
// that does not start with a digit, so `$1` is a parameter.
qsizetype dollarQuoteAt(const QString &line, qsizetype at)
{
    if (line.at(at) != QLatin1Char('$')) {
        return 0;
    }
    static const QRegularExpression dollarQuote(
        QStringLiteral("\\G\\$([A-Za-z_\\x{80}-\\x{10FFFF}][A-Za-z0-9_\\x{80}-\\x{10FFFF}]*)?\\$"));
    const QRegularExpressionMatch match = dollarQuote.match(line, at);
    return match.hasMatch() ? match.capturedLength() : 0;
}

// The line without its comment and the spaces before it. `state` carries a quoted string or a
// dollar-quoted body over a line break; two quotes in a row inside a string are one escaped
// quote and need no care. Inside a dollar-quoted body nothing counts but its closing tag.
QString withoutComment(const QString &line, ScanState &state)
{
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (state.inDollarQuote) {
            const QString closing = QLatin1Char('$') + state.tag + QLatin1Char('$');
            if (QStringView(line).mid(i).startsWith(closing)) {
                state.inDollarQuote = false;
                i += closing.size() - 1;
            }
        } else if (c == QLatin1Char('\'')) {
            state.inQuote = !state.inQuote;
        } else if (state.inQuote) {
            continue;
        } else if (const qsizetype length = dollarQuoteAt(line, i); length > 0) {
            state.inDollarQuote = true;
            state.tag = line.mid(i + 1, length - 2);
            i += length - 1;
        } else if (c == QLatin1Char('-') && i + 1 < line.size() &&
                   line.at(i + 1) == QLatin1Char('-')) {
            QString code = line.left(i);
            while (!code.isEmpty() && code.back().isSpace()) {
                code.chop(1);
            }
            return code;
        }
    }
    return line;
}

// A SQLite trigger's body is BEGIN ... END; PostgreSQL's triggers call a function instead.
bool isTriggerWithBody(const QString &statement)
{
    static const QRegularExpression executeFunction(
        QStringLiteral("\\bEXECUTE\\s+(FUNCTION|PROCEDURE)\\b"),
        QRegularExpression::CaseInsensitiveOption);
    const QString simplified = statement.simplified();
    return simplified.startsWith(QStringLiteral("CREATE TRIGGER"), Qt::CaseInsensitive) &&
           !executeFunction.match(simplified).hasMatch();
}

bool endsStatement(const QString &statement)
{
    if (!statement.endsWith(QLatin1Char(';'))) {
        return false;
    }
    return !isTriggerWithBody(statement) ||
           statement.chopped(1).trimmed().endsWith(QStringLiteral("END"), Qt::CaseInsensitive);
}

} // namespace

QStringList splitSqlScript(const QString &script, const QString &scriptName)
{
    QStringList statements;
    QString statement;
    ScanState state;
    int lineNumber = 0;
    int startLine = 0;
    for (const QString &rawLine : script.split(QLatin1Char('\n'))) {
        ++lineNumber;
        const bool continuesQuote = state.insideQuotes();
        const bool continuesBody = state.inDollarQuote;
        const QString line = withoutComment(rawLine, state);
        if (!continuesQuote && line.trimmed().isEmpty()) {
            continue;
        }
        if (statement.isEmpty()) {
            statement = line.trimmed();
            startLine = lineNumber;
        } else if (continuesBody) {
            // A function body is kept line for line: its own language may need the breaks.
            statement += QLatin1Char('\n') + line;
        } else if (line.isEmpty() || line.front().isSpace()) {
            statement += line;
        } else {
            statement += QLatin1Char(' ') + line;
        }
        if (!state.insideQuotes() && endsStatement(statement)) {
            statements.append(statement.chopped(1));
            statement.clear();
        }
    }
    if (state.inQuote) {
        throw StorageError(
            QStringLiteral("%1: a quoted string opened in the statement at line %2 is never closed")
                .arg(scriptName)
                .arg(startLine));
    }
    if (state.inDollarQuote) {
        throw StorageError(QStringLiteral("%1: the body opened with $%2$ in the statement at line "
                                          "%3 is never closed with $%2$")
                               .arg(scriptName, state.tag)
                               .arg(startLine));
    }
    if (!statement.isEmpty()) {
        throw StorageError(
            QStringLiteral(
                "%1: the statement at line %2 does not end with ';' (a trigger with 'END;')")
                .arg(scriptName)
                .arg(startLine));
    }
    return statements;
}

} // namespace digitdesk::storage
