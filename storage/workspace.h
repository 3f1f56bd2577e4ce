#pragma once

#include "storage/blobstore.h"
#include "storage/connection.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace digitdesk::storage {

// The workspace folder of DESIGN.md: digitdesk.sqlite, blobs/, dataset.git/, models/, logs/.
// A workspace whose database is on a PostgreSQL server has digitdesk.database (its URL, see
// WorkspaceDatabaseFile) in place of digitdesk.sqlite; the rest stays in the folder.
// Opening applies pending migrations; the connection belongs to the thread that opened it.
class Workspace final
{
public:
    static constexpr const char *DatabaseFileName = "digitdesk.sqlite";
    // Names the database for `workspace init` when no --database is given, and must name the
    // folder's own database (or be unset) when a workspace on a server is opened.
    static constexpr const char *DatabaseVariable = "DIGITDESK_DATABASE";

    // Makes the folder (which must be missing or empty) into a new workspace. Its database is
    // digitdesk.sqlite in the folder when `database` is empty, or else the PostgreSQL database
    // the URL names (see DatabaseLocation), which must exist and hold no workspace yet.
    static std::unique_ptr<Workspace> create(const QString &folder, const QString &database = {});
    // DIGITDESK_DATABASE, or empty.
    static QString databaseFromEnvironment();
    // Opens an existing workspace; throws WorkspaceRefused when the folder is not one, or when
    // it cannot be written (a read-only mount, say).
    static std::unique_ptr<Workspace> open(const QString &folder);
    // As open(), but a workspace that cannot be written is opened read-only, for a command that
    // only reads (`workspace check`): reads work, every write fails. Its schema must be current,
    // since migrating it would be a write.
    static std::unique_ptr<Workspace> openForReading(const QString &folder);
    static bool looksLikeWorkspace(const QString &folder);

    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    QString root() const { return m_root; }
    // Where the database is, for a Connection: the path of digitdesk.sqlite or a PostgreSQL URL.
    QString databasePath() const { return m_database; }
    QString datasetRepositoryPath() const;
    QString modelsPath() const;
    QString logsPath() const;

    // Why the workspace cannot be written; empty when it can.
    QString readOnlyReason() const { return m_readOnlyReason; }
    bool isReadOnly() const { return !m_readOnlyReason.isEmpty(); }

    QSqlDatabase db() const { return m_connection->db(); }
    const BlobStore &blobs() const { return m_blobs; }

private:
    explicit Workspace(const QString &root);

    void connectAndMigrate(Connection::Mode mode = Connection::Mode::ReadWrite);

    QString m_root;
    QString m_database;
    QString m_workspaceId;
    QString m_readOnlyReason;
    std::unique_ptr<Connection> m_connection;
    BlobStore m_blobs;
};

} // namespace digitdesk::storage
