#include "storage/sqlscript.h"

#include "storage/storageerror.h"

namespace digitdesk::storage {
namespace {

// The line without its comment and the spaces before it. `inQuote` carries a quoted string
// over a line break; two quotes in a row inside a string are one escaped quote and need no care.
QString withoutComment(const QString &line, bool &inQuote)
{
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\'')) {
            inQuote = !inQuote;
        } else if (!inQuote && c == QLatin1Char('-') && i + 1 < line.size() &&
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

bool isTrigger(const QString &statement)
{
    return statement.simplified().startsWith(QStringLiteral("CREATE TRIGGER"), Qt::CaseInsensitive);
}

bool endsStatement(const QString &statement)
{
    if (!statement.endsWith(QLatin1Char(';'))) {
        return false;
    }
    return !isTrigger(statement) ||
           statement.chopped(1).trimmed().endsWith(QStringLiteral("END"), Qt::CaseInsensitive);
}

} // namespace

QStringList splitSqlScript(const QString &script, const QString &scriptName)
{
    QStringList statements;
    QString statement;
    bool inQuote = false;
    int lineNumber = 0;
    int startLine = 0;
    for (const QString &rawLine : script.split(QLatin1Char('\n'))) {
        ++lineNumber;
        const bool continuesQuote = inQuote;
        const QString line = withoutComment(rawLine, inQuote);
        if (!continuesQuote && line.trimmed().isEmpty()) {
            continue;
        }
        if (statement.isEmpty()) {
            statement = line.trimmed();
            startLine = lineNumber;
        } else if (line.isEmpty() || line.front().isSpace()) {
            statement += line;
        } else {
            statement += QLatin1Char(' ') + line;
        }
        if (!inQuote && endsStatement(statement)) {
            statements.append(statement.chopped(1));
            statement.clear();
        }
    }
    if (inQuote) {
        throw StorageError(
            QStringLiteral("%1: a quoted string opened in the statement at line %2 is never closed")
                .arg(scriptName)
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
