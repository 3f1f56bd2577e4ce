#pragma once

#include <QString>
#include <QStringList>

namespace digitdesk::storage {

// The statements of an SQL script such as storage/migrations/NNNN-name.sql, in order.
//
// `--` starts a comment to the end of the line (outside quotes); a statement ends with `;` at the
// end of a line, or for a SQLite CREATE TRIGGER with `END;` (a PostgreSQL trigger, which runs
// EXECUTE FUNCTION, ends at its `;`). The lines of a statement are joined without their line
// breaks: a line that starts with spaces keeps them, one that does not gets a single space. So a
// column list written one column per line, each indented by one space, is stored in sqlite_master
// exactly as one line of SQL.
//
// A PostgreSQL dollar-quoted body ($$ ... $$ or $tag$ ... $tag$, as in CREATE FUNCTION) is taken
// as it is: no comments, quotes or `;` count inside it, and its line breaks are kept.
//
// Throws StorageError naming `scriptName` for a statement without its `;` or an unclosed quote
// or body.
QStringList splitSqlScript(const QString &script, const QString &scriptName);

} // namespace digitdesk::storage
