#include "storage/workspace.h"

#include "storage/datasetgit.h"
#include "storage/migrations.h"
#include "storage/storageerror.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace digitdesk::storage {
namespace {

// Why the workspace folder or its database cannot be written (a read-only mount refuses even
// root, which file modes do not); empty when both can.
QString whyReadOnly(const QString &folder, const QString &database)
{
    for (const QString &path : {folder, database}) {
        if (::access(QFile::encodeName(path).constData(), W_OK) != 0) {
            return QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
        }
    }
    return {};
}

void refuseIfNotWorkspace(const QString &folder)
{
    if (!QFileInfo(folder).isDir()) {
        throw WorkspaceRefused(QStringLiteral("%1 is not a folder").arg(folder));
    }
    if (!Workspace::looksLikeWorkspace(folder)) {
        throw WorkspaceRefused(
            QStringLiteral("%1 is not a DigitDesk workspace (it has no %2); create one with "
                           "`digitdesk workspace init %1`")
                .arg(folder, QString::fromLatin1(Workspace::DatabaseFileName)));
    }
}

} // namespace

Workspace::Workspace(const QString &root)
    : m_root(QDir(root).absolutePath()), m_blobs(m_root + QStringLiteral("/blobs"))
{}

Workspace::~Workspace() = default;

bool Workspace::looksLikeWorkspace(const QString &folder)
{
    return QFileInfo::exists(QDir(folder).filePath(QString::fromLatin1(DatabaseFileName)));
}

std::unique_ptr<Workspace> Workspace::create(const QString &folder)
{
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty()) {
        throw StorageError(QStringLiteral("cannot create a workspace in %1: the folder is not "
                                          "empty")
                               .arg(dir.absolutePath()));
    }
    for (const QString &sub :
         {QStringLiteral("blobs"), QStringLiteral("models"), QStringLiteral("logs")}) {
        if (!QDir().mkpath(dir.filePath(sub))) {
            throw StorageError(QStringLiteral("cannot create folder %1").arg(dir.filePath(sub)));
        }
    }
    // Labels, scans and password hashes are nobody else's business on a shared machine,
    // whatever the umask: the owner alone may enter the folder.
    if (!QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                           QFileDevice::ExeOwner)) {
        throw StorageError(
            QStringLiteral("cannot make %1 private to its owner").arg(dir.absolutePath()));
    }
    std::unique_ptr<Workspace> workspace(new Workspace(folder));
    const DatasetGit datasetRepository(workspace->datasetRepositoryPath(),
                                       /*createIfMissing=*/true);
    workspace->m_connection = std::make_unique<Connection>(workspace->databasePath());
    Migrations::apply(workspace->db());
    return workspace;
}

std::unique_ptr<Workspace> Workspace::open(const QString &folder)
{
    refuseIfNotWorkspace(folder);
    std::unique_ptr<Workspace> workspace(new Workspace(folder));
    const QString readOnly = whyReadOnly(workspace->root(), workspace->databasePath());
    if (!readOnly.isEmpty()) {
        throw WorkspaceRefused(QStringLiteral("cannot write to %1: the workspace is read-only "
                                              "(%2); `digitdesk workspace check` can still read it")
                                   .arg(workspace->root(), readOnly));
    }
    workspace->m_connection = std::make_unique<Connection>(workspace->databasePath());
    Migrations::apply(workspace->db());
    return workspace;
}

std::unique_ptr<Workspace> Workspace::openForReading(const QString &folder)
{
    refuseIfNotWorkspace(folder);
    std::unique_ptr<Workspace> workspace(new Workspace(folder));
    workspace->m_readOnlyReason = whyReadOnly(workspace->root(), workspace->databasePath());
    if (!workspace->isReadOnly()) {
        workspace->m_connection = std::make_unique<Connection>(workspace->databasePath());
        Migrations::apply(workspace->db());
        return workspace;
    }
    workspace->m_connection =
        std::make_unique<Connection>(workspace->databasePath(), Connection::Mode::ReadOnly);
    const int version = Migrations::currentVersion(workspace->db());
    if (version != Migrations::latestVersion()) {
        throw WorkspaceRefused(QStringLiteral("the workspace %1 has schema version %2 where this "
                                              "DigitDesk knows %3, and it is read-only (%4), so "
                                              "it cannot be brought to this version")
                                   .arg(workspace->root())
                                   .arg(version)
                                   .arg(Migrations::latestVersion())
                                   .arg(workspace->m_readOnlyReason));
    }
    return workspace;
}

QString Workspace::databasePath() const
{
    return m_root + QLatin1Char('/') + QString::fromLatin1(DatabaseFileName);
}

QString Workspace::datasetRepositoryPath() const
{
    return m_root + QStringLiteral("/dataset.git");
}

QString Workspace::modelsPath() const
{
    return m_root + QStringLiteral("/models");
}

QString Workspace::logsPath() const
{
    return m_root + QStringLiteral("/logs");
}

} // namespace digitdesk::storage
