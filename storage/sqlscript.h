#pragma once

#include <QString>
#include <QStringList>

namespace digitdesk::storage {

// The statements of an SQL script such as storage/migrations/NNNN-name.sql, in order.
//
// `--` starts a comment to the end of the line (outside quotes); a statement ends with `;` at the
// end of a line, or for CREATE TRIGGER with `END;`. The lines of a statement are joined without
// their line breaks: a line that starts with spaces keeps them, one that does not gets a single
// space. So a column list written one column per line, each indented by one space, is stored in
// sqlite_master exactly as one line of SQL.
//
// Throws StorageError naming `scriptName` for a statement without its `;` or an unclosed quote.
QStringList splitSqlScript(const QString &script, const QString &scriptName);

} // namespace digitdesk::storage
