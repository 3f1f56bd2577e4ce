#include "storage/workspace.h"

#include "storage/databaselocation.h"
#include "storage/datasetgit.h"
#include "storage/dialect.h"
#include "storage/migrations.h"
#include "storage/settingsrepository.h"
#include "storage/storageerror.h"
#include "storage/workspacedatabasefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUuid>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace digitdesk::storage {
namespace {

const QString WorkspaceIdSetting = QStringLiteral("workspace.id");

bool isServerDatabase(const QString &location)
{
    return DatabaseLocation::parse(location).engine() != Engine::Sqlite;
}

// Why the workspace folder or its database file cannot be written (a read-only mount refuses
// even root, which file modes do not); empty when both can.
QString whyReadOnly(const QString &folder, const QString &database)
{
    QStringList paths = {folder};
    if (!isServerDatabase(database)) {
        paths << database;
    }
    for (const QString &path : paths) {
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
            QStringLiteral("%1 is not a DigitDesk workspace (it has no %2 or %3); create one "
                           "with `digitdesk workspace init %1`")
                .arg(folder, QString::fromLatin1(Workspace::DatabaseFileName),
                     QString::fromLatin1(WorkspaceDatabaseFile::FileName)));
    }
}

// A workspace on a server is opened through the folder's own URL; a DIGITDESK_DATABASE naming
// another database means the user expects a different database than the one they would get.
void refuseOtherDatabaseInEnvironment(const QString &folder, const QString &database)
{
    const QString fromEnvironment = Workspace::databaseFromEnvironment();
    if (fromEnvironment.isEmpty() || !isServerDatabase(database)) {
        return;
    }
    const QString wanted = DatabaseLocation::parse(fromEnvironment).toString();
    const QString own = DatabaseLocation::parse(database).toString();
    if (wanted != own) {
        throw WorkspaceRefused(
            QStringLiteral("the workspace %1 keeps its data in %2, but %3 "
                           "names %4; unset %3 or make it name %2")
                .arg(folder, own, QString::fromLatin1(Workspace::DatabaseVariable), wanted));
    }
}

// The folder's id must be the one its database holds: another folder's database would show
// another workspace's labels with this folder's scans.
void refuseForeignDatabase(const QSqlDatabase &db, const QString &folder, const QString &database,
                           const QString &workspaceId)
{
    const QString held = SettingsRepository(db).value(WorkspaceIdSetting);
    if (held != workspaceId) {
        throw WorkspaceRefused(
            QStringLiteral("the database %1 does not belong to the workspace %2: it holds %3, "
                           "the folder's %4 names %5")
                .arg(DatabaseLocation::parse(database).toString(), folder,
                     held.isEmpty() ? QStringLiteral("no workspace id")
                                    : QStringLiteral("workspace id %1").arg(held),
                     QString::fromLatin1(WorkspaceDatabaseFile::FileName), workspaceId));
    }
}

// A new workspace on a server takes a database of its own that holds nothing of DigitDesk's.
void refuseUsedDatabase(const QSqlDatabase &db, const QString &database)
{
    Dialect::of(db).refuseUnfitForNewWorkspace(db);
    const int version = Migrations::currentVersion(db);
    if (version > 0) {
        throw WorkspaceRefused(
            QStringLiteral("the database %1 already holds a DigitDesk workspace (schema version "
                           "%2): open the folder that names it with --workspace, or give an "
                           "empty database")
                .arg(DatabaseLocation::parse(database).toString())
                .arg(version));
    }
}

} // namespace

Workspace::Workspace(const QString &root)
    : m_root(QDir(root).absolutePath()),
      m_database(m_root + QLatin1Char('/') + QString::fromLatin1(DatabaseFileName)),
      m_blobs(m_root + QStringLiteral("/blobs"))
{
    if (QFileInfo::exists(
            QDir(m_root).filePath(QString::fromLatin1(WorkspaceDatabaseFile::FileName)))) {
        const WorkspaceDatabaseFile file = WorkspaceDatabaseFile::read(m_root);
        m_database = file.database;
        m_workspaceId = file.workspaceId;
    }
}

Workspace::~Workspace() = default;

bool Workspace::looksLikeWorkspace(const QString &folder)
{
    const QDir dir(folder);
    return QFileInfo::exists(dir.filePath(QString::fromLatin1(DatabaseFileName))) ||
           QFileInfo::exists(dir.filePath(QString::fromLatin1(WorkspaceDatabaseFile::FileName)));
}

QString Workspace::databaseFromEnvironment()
{
    return qEnvironmentVariable(DatabaseVariable).trimmed();
}

void Workspace::connectAndMigrate(Connection::Mode mode)
{
    m_connection = std::make_unique<Connection>(m_database, mode);
    if (mode == Connection::Mode::ReadWrite) {
        Migrations::apply(db());
    }
    if (!m_workspaceId.isEmpty()) {
        refuseForeignDatabase(db(), m_root, m_database, m_workspaceId);
    }
}

std::unique_ptr<Workspace> Workspace::create(const QString &folder, const QString &database)
{
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty()) {
        throw StorageError(QStringLiteral("cannot create a workspace in %1: the folder is not "
                                          "empty")
                               .arg(dir.absolutePath()));
    }
    std::unique_ptr<Connection> server;
    if (!database.isEmpty()) {
        if (!isServerDatabase(database)) {
            throw StorageError(QStringLiteral("cannot create a workspace on %1: a database "
                                              "other than the folder's own digitdesk.sqlite is "
                                              "a PostgreSQL URL, postgresql://USER@HOST/DB")
                                   .arg(database));
        }
        server = std::make_unique<Connection>(database);
        refuseUsedDatabase(server->db(), database);
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
    if (!server) {
        workspace->connectAndMigrate();
        return workspace;
    }
    workspace->m_database = database;
    workspace->m_connection = std::move(server);
    Migrations::apply(workspace->db());
    workspace->m_workspaceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    SettingsRepository(workspace->db()).setValue(WorkspaceIdSetting, workspace->m_workspaceId);
    WorkspaceDatabaseFile{database, workspace->m_workspaceId}.write(workspace->root());
    return workspace;
}

std::unique_ptr<Workspace> Workspace::open(const QString &folder)
{
    refuseIfNotWorkspace(folder);
    std::unique_ptr<Workspace> workspace(new Workspace(folder));
    refuseOtherDatabaseInEnvironment(workspace->root(), workspace->databasePath());
    const QString readOnly = whyReadOnly(workspace->root(), workspace->databasePath());
    if (!readOnly.isEmpty()) {
        throw WorkspaceRefused(QStringLiteral("cannot write to %1: the workspace is read-only "
                                              "(%2); `digitdesk workspace check` can still read it")
                                   .arg(workspace->root(), readOnly));
    }
    workspace->connectAndMigrate();
    return workspace;
}

std::unique_ptr<Workspace> Workspace::openForReading(const QString &folder)
{
    refuseIfNotWorkspace(folder);
    std::unique_ptr<Workspace> workspace(new Workspace(folder));
    refuseOtherDatabaseInEnvironment(workspace->root(), workspace->databasePath());
    workspace->m_readOnlyReason = whyReadOnly(workspace->root(), workspace->databasePath());
    if (!workspace->isReadOnly()) {
        workspace->connectAndMigrate();
        return workspace;
    }
    workspace->connectAndMigrate(Connection::Mode::ReadOnly);
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
