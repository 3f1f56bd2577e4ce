#include "storage/inboxrepository.h"

#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

QVariant timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QVariant(toDbTime(time)) : QVariant();
}

} // namespace

QString toString(InboxOutcome outcome)
{
    switch (outcome) {
    case InboxOutcome::Imported:
        return QStringLiteral("imported");
    case InboxOutcome::AlreadyImported:
        return QStringLiteral("already_imported");
    case InboxOutcome::Duplicate:
        return QStringLiteral("duplicate");
    case InboxOutcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

void InboxRepository::record(const std::vector<InboxFileRecord> &files)
{
    SqlQuery insert(m_db,
                    QStringLiteral("INSERT INTO inbox_files (at, name, sha256, outcome, image_id,"
                                   " reason, moved_to) VALUES (:at, :name, :sha256, :outcome,"
                                   " :image, :reason, :moved)"),
                    QStringLiteral("record an inbox file"));
    const QString at = nowDbTime();
    for (const InboxFileRecord &file : files) {
        insert.bindAll({{QStringLiteral(":at"), at},
                        {QStringLiteral(":name"), textOrEmpty(file.name)},
                        {QStringLiteral(":sha256"), textOrEmpty(file.sha256)},
                        {QStringLiteral(":outcome"), toString(file.outcome)},
                        {QStringLiteral(":image"), idOrNull(file.imageId)},
                        {QStringLiteral(":reason"), textOrEmpty(file.reason)},
                        {QStringLiteral(":moved"), textOrEmpty(file.movedTo)}});
        insert.exec();
    }
}

qint64 InboxRepository::imageOfOriginal(const QString &sha256) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id FROM images WHERE original_sha256 = :sha256"
                                  " ORDER BY id LIMIT 1"),
                   QStringLiteral("find the image of an original file"));
    query.bind(QStringLiteral(":sha256"), sha256);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

QStringList InboxRepository::importedNames(const QString &sha256) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT name FROM inbox_files WHERE sha256 = :sha256 AND"
                                  " outcome = 'imported' ORDER BY id"),
                   QStringLiteral("find inbox files by their bytes"));
    query.bind(QStringLiteral(":sha256"), sha256);
    query.exec();
    QStringList names;
    while (query.next()) {
        names << query.value(0).toString();
    }
    return names;
}

InboxCounts InboxRepository::countsSince(const QDateTime &from) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT COALESCE(SUM(CASE WHEN outcome = 'imported' THEN 1"
                                  " ELSE 0 END), 0), COALESCE(SUM(CASE WHEN outcome IN"
                                  " ('duplicate', 'failed') THEN 1 ELSE 0 END), 0)"
                                  " FROM inbox_files WHERE at >= :from"),
                   QStringLiteral("count the inbox's files"));
    query.bind(QStringLiteral(":from"), toDbTime(from));
    query.exec();
    InboxCounts counts;
    if (query.next()) {
        counts.imported = query.value(0).toLongLong();
        counts.failed = query.value(1).toLongLong();
    }
    return counts;
}

void InboxRepository::writeStatus(const InboxStatusRow &status)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO inbox_status (id, path, state, host, pid, waiting, started_at,"
                       " heartbeat_at, last_error, last_error_at) VALUES (1, :path, :state, :host,"
                       " :pid, :waiting, :started, :heartbeat, :error, :errorAt) ON CONFLICT (id)"
                       " DO UPDATE SET path = excluded.path, state = excluded.state, host ="
                       " excluded.host, pid = excluded.pid, waiting = excluded.waiting,"
                       " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,"
                       " last_error = excluded.last_error, last_error_at = excluded.last_error_at"),
        QStringLiteral("write the inbox's state"));
    query.bindAll({{QStringLiteral(":path"), textOrEmpty(status.path)},
                   {QStringLiteral(":state"), textOrEmpty(status.state)},
                   {QStringLiteral(":host"), textOrEmpty(status.host)},
                   {QStringLiteral(":pid"), status.pid},
                   {QStringLiteral(":waiting"), status.waiting},
                   {QStringLiteral(":started"), timeOrNull(status.startedAt)},
                   {QStringLiteral(":heartbeat"), timeOrNull(status.heartbeatAt)},
                   {QStringLiteral(":error"), textOrEmpty(status.lastError)},
                   {QStringLiteral(":errorAt"), timeOrNull(status.lastErrorAt)}});
    query.exec();
}

std::optional<InboxStatusRow> InboxRepository::status() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT path, state, host, pid, waiting, started_at,"
                                  " heartbeat_at, last_error, last_error_at FROM inbox_status"
                                  " WHERE id = 1"),
                   QStringLiteral("read the inbox's state"));
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    const auto time = [&query](int column) {
        return query.value(column).isNull() ? QDateTime()
                                            : fromDbTime(query.value(column).toString());
    };
    InboxStatusRow row;
    row.path = query.value(0).toString();
    row.state = query.value(1).toString();
    row.host = query.value(2).toString();
    row.pid = query.value(3).toLongLong();
    row.waiting = query.value(4).toLongLong();
    row.startedAt = time(5);
    row.heartbeatAt = time(6);
    row.lastError = query.value(7).toString();
    row.lastErrorAt = time(8);
    return row;
}

} // namespace digitdesk::storage
