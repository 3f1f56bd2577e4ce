#pragma once

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::storage {

// One named QSqlDatabase connection to a workspace database, for the thread that made it. The
// database is a location (see DatabaseLocation): a SQLite file, opened in WAL mode with foreign
// keys, full sync and a busy timeout, or a PostgreSQL database, with a lock timeout of the same
// length; either way the GUI, `digitdesk train` and `digitdesk serve` share it. Connections
// are never shared by threads: a worker makes its own.
class Connection final
{
public:
    static constexpr int BusyTimeoutMs = 10000;

    // ReadOnly opens a database that cannot be written (a read-only mount): it reads, and every
    // write fails; the journal mode is left as it is. On PostgreSQL every transaction of the
    // connection is read-only.
    enum class Mode
    {
        ReadWrite,
        ReadOnly
    };

    // Throws StorageError naming the database (never with a password) and the driver's reason.
    explicit Connection(const QString &location, Mode mode = Mode::ReadWrite);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    QSqlDatabase db() const;
    // The location as given: a file path or a PostgreSQL URL.
    QString databasePath() const { return m_path; }

private:
    QString m_path;
    QString m_name;
};

} // namespace digitdesk::storage
