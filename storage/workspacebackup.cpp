#include "storage/workspacebackup.h"

#include "storage/databasecopy.h"
#include "storage/databaselocation.h"
#include "storage/onlinebackup.h"
#include "storage/storageerror.h"
#include "storage/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <functional>

namespace digitdesk::storage {
namespace {

// Copies the files under `from` whose path relative to it passes `take`, keeping the layout.
int copyTree(const QString &from, const QString &to, qint64 *bytes,
             const std::function<bool(const QString &)> &take = {})
{
    int copied = 0;
    const QDir source(from);
    QDirIterator files(from, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        const QString relative = source.relativeFilePath(path);
        if (take && !take(relative)) {
            continue;
        }
        const QString target = QDir(to).filePath(relative);
        if (QFileInfo::exists(target)) {
            continue;
        }
        if (!QDir().mkpath(QFileInfo(target).path()) || !QFile::copy(path, target)) {
            throw StorageError(QStringLiteral("backing up %1 to %2 failed").arg(path, target));
        }
        *bytes += QFileInfo(target).size();
        ++copied;
    }
    return copied;
}

// Git needs the folders of a repository even when they are empty (objects/ and refs/ of a
// repository without a commit), which copying files alone would leave out.
void copyFolders(const QString &from, const QString &to)
{
    const QDir source(from);
    QDirIterator folders(from, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot,
                         QDirIterator::Subdirectories);
    while (folders.hasNext()) {
        const QString target = QDir(to).filePath(source.relativeFilePath(folders.next()));
        if (!QDir().mkpath(target)) {
            throw StorageError(QStringLiteral("cannot create folder %1").arg(target));
        }
    }
}

} // namespace

WorkspaceBackupReport backupWorkspace(const Workspace &workspace, const QString &folder)
{
    const QDir target(folder);
    if (target.exists() && !target.isEmpty()) {
        throw StorageError(
            QStringLiteral("cannot back up into %1: the folder is not empty").arg(folder));
    }
    if (QDir(workspace.root()) == target) {
        throw StorageError(QStringLiteral("cannot back up %1 into itself").arg(folder));
    }
    for (const QString &sub : {QStringLiteral("blobs"), QStringLiteral("models"),
                               QStringLiteral("logs"), QStringLiteral("dataset.git")}) {
        if (!QDir().mkpath(target.filePath(sub))) {
            throw StorageError(QStringLiteral("cannot create folder %1").arg(target.filePath(sub)));
        }
    }
    WorkspaceBackupReport report;
    const QString databaseCopy = target.filePath(QString::fromLatin1(Workspace::DatabaseFileName));
    report.databasePages =
        DatabaseLocation::parse(workspace.databasePath()).engine() == Engine::Sqlite
            ? backupDatabase(workspace.db(), databaseCopy)
            : copyDatabaseIntoSqlite(workspace.databasePath(), databaseCopy);
    report.bytes =
        QFileInfo(target.filePath(QString::fromLatin1(Workspace::DatabaseFileName))).size();
    report.blobs = copyTree(QDir(workspace.root()).filePath(QStringLiteral("blobs")),
                            target.filePath(QStringLiteral("blobs")), &report.bytes);
    // Finished model files only: a run still training writes *.partial.pt and checkpoints.
    report.modelFiles = copyTree(workspace.modelsPath(), target.filePath(QStringLiteral("models")),
                                 &report.bytes, [](const QString &relative) {
                                     return !relative.contains(QLatin1Char('/')) &&
                                            relative.endsWith(QStringLiteral(".pt")) &&
                                            !relative.endsWith(QStringLiteral(".partial.pt"));
                                 });
    const QString repository = workspace.datasetRepositoryPath();
    const QString repositoryCopy = target.filePath(QStringLiteral("dataset.git"));
    const auto isObject = [](const QString &relative) {
        return relative.startsWith(QStringLiteral("objects/"));
    };
    copyFolders(repository, repositoryCopy);
    report.datasetFiles = copyTree(repository, repositoryCopy, &report.bytes,
                                   [&](const QString &relative) { return !isObject(relative); }) +
                          copyTree(repository, repositoryCopy, &report.bytes, isObject);
    return report;
}

} // namespace digitdesk::storage
