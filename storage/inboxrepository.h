#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace digitdesk::storage {

// What became of one file of the watched inbox.
enum class InboxOutcome
{
    Imported,
    AlreadyImported, // its bytes were imported before, from another file: only moved
    Duplicate,       // the importer found the same image already stored
    Failed
};
QString toString(InboxOutcome outcome);

struct InboxFileRecord
{
    QString name; // as it was in the inbox
    QString sha256;
    InboxOutcome outcome = InboxOutcome::Imported;
    qint64 imageId = 0;
    QString reason;
    QString movedTo; // relative to the inbox folder
};

// The process watching the inbox, as it last said.
struct InboxStatusRow
{
    QString path;
    QString state; // watching, paused, waiting, stopped
    QString host;
    qint64 pid = 0;
    qint64 waiting = 0;
    QDateTime startedAt;
    QDateTime heartbeatAt;
    QString lastError;
    QDateTime lastErrorAt;
};

struct InboxCounts
{
    qint64 imported = 0;
    qint64 failed = 0; // moved to failed/, duplicates included
};

class InboxRepository final
{
public:
    explicit InboxRepository(const QSqlDatabase &db) : m_db(db) {}

    // Call inside a Transaction for speed.
    void record(const std::vector<InboxFileRecord> &files);
    // The image whose original file had these bytes; 0 when none.
    qint64 imageOfOriginal(const QString &sha256) const;
    // The names of inbox files with these bytes that were imported.
    QStringList importedNames(const QString &sha256) const;
    InboxCounts countsSince(const QDateTime &from) const;

    void writeStatus(const InboxStatusRow &status);
    std::optional<InboxStatusRow> status() const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
