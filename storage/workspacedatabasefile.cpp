#include "storage/workspacedatabasefile.h"

#include "storage/databaselocation.h"
#include "storage/storageerror.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace digitdesk::storage {
namespace {

// A line is a URL and a UUID at most; a bigger file is not ours.
constexpr qint64 MaximumFileBytes = 4096;

} // namespace

WorkspaceDatabaseFile WorkspaceDatabaseFile::read(const QString &folder)
{
    const QString path = QDir(folder).filePath(QString::fromLatin1(FileName));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw WorkspaceRefused(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    }
    if (file.size() > MaximumFileBytes) {
        throw WorkspaceRefused(QStringLiteral("%1 is %2 bytes, more than a database URL and an id "
                                              "need (%3 at most)")
                                   .arg(path)
                                   .arg(file.size())
                                   .arg(MaximumFileBytes));
    }
    WorkspaceDatabaseFile result;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (const QString &rawLine : lines) {
        const QString line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        const QString key = line.left(equals);
        const QString value = line.mid(equals + 1).trimmed();
        if (equals > 0 && key == QStringLiteral("database")) {
            result.database = value;
        } else if (equals > 0 && key == QStringLiteral("id")) {
            result.workspaceId = value;
        } else {
            throw WorkspaceRefused(QStringLiteral("%1: the line \"%2\" is not database=URL or "
                                                  "id=UUID")
                                       .arg(path, line.left(80)));
        }
    }
    if (result.database.isEmpty() || result.workspaceId.isEmpty()) {
        throw WorkspaceRefused(
            QStringLiteral("%1 does not name both the database (database=URL) and the "
                           "workspace's id (id=UUID)")
                .arg(path));
    }
    try {
        DatabaseLocation::parse(result.database);
    } catch (const StorageError &error) {
        throw WorkspaceRefused(QStringLiteral("%1: %2").arg(path, error.message()));
    }
    return result;
}

void WorkspaceDatabaseFile::write(const QString &folder) const
{
    const QString path = QDir(folder).filePath(QString::fromLatin1(FileName));
    QSaveFile file(path);
    const QByteArray text =
        QStringLiteral("# The database of this DigitDesk workspace; the password is in ~/.pgpass "
                       "or PGPASSWORD, never here.\ndatabase=%1\nid=%2\n")
            .arg(DatabaseLocation::parse(database).toString(), workspaceId)
            .toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) || !file.commit()) {
        throw StorageError(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
}

} // namespace digitdesk::storage
