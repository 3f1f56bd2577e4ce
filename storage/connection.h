#pragma once

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::storage {

// One named QSqlDatabase connection to a workspace database, for the thread that made it.
// Opens in WAL mode with foreign keys, full sync and a busy timeout, so the GUI, `digitdesk
// train` and `digitdesk serve` can share the file. Connections are never shared by threads:
// a worker makes its own.
class Connection final
{
public:
    static constexpr int BusyTimeoutMs = 10000;

    // ReadOnly opens a database that cannot be written (a read-only mount): it reads, and every
    // write fails; the journal mode is left as it is.
    enum class Mode
    {
        ReadWrite,
        ReadOnly
    };

    explicit Connection(const QString &databasePath, Mode mode = Mode::ReadWrite);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    QSqlDatabase db() const;
    QString databasePath() const { return m_path; }

private:
    QString m_path;
    QString m_name;
};

} // namespace digitdesk::storage
