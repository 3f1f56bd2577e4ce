#pragma once

#include <QDateTime>
#include <QString>

namespace digitdesk::storage {

// Every time in the database is UTC text with milliseconds ("2026-11-23T12:00:00.000Z"):
// readable in any SQL shell, sortable as text, and the same in SQLite and PostgreSQL.
QString toDbTime(const QDateTime &time);
QDateTime fromDbTime(const QString &text);
QString nowDbTime();

} // namespace digitdesk::storage
