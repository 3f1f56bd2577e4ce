#pragma once

#include "storage/blobstore.h"
#include "storage/connection.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace digitdesk::storage {

// The workspace folder of DESIGN.md: digitdesk.sqlite, blobs/, dataset.git/, models/, logs/.
// Opening applies pending migrations; the connection belongs to the thread that opened it.
class Workspace final
{
public:
    static constexpr const char *DatabaseFileName = "digitdesk.sqlite";

    // Makes the folder (which must be missing or empty) into a new workspace.
    static std::unique_ptr<Workspace> create(const QString &folder);
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
    QString databasePath() const;
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

    QString m_root;
    QString m_readOnlyReason;
    std::unique_ptr<Connection> m_connection;
    BlobStore m_blobs;
};

} // namespace digitdesk::storage
