#include "storage/onlinebackup.h"

#include "storage/storageerror.h"

#include <QFile>
#include <QSqlDriver>
#include <QThread>
#include <QVariant>

#include <sqlite3.h>

namespace digitdesk::storage {
namespace {

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        throw StorageError(QStringLiteral("the workspace database is not an SQLite connection"));
    }
    return *static_cast<sqlite3 *const *>(handle.data());
}

QString sqliteMessage(sqlite3 *db)
{
    return QString::fromUtf8(sqlite3_errmsg(db));
}

} // namespace

int backupDatabase(const QSqlDatabase &db, const QString &destination)
{
    if (QFile::exists(destination)) {
        throw StorageError(
            QStringLiteral("backup file %1 exists already; choose a new name").arg(destination));
    }
    sqlite3 *source = sqliteHandle(db);
    sqlite3 *target = nullptr;
    const QString partial = destination + QStringLiteral(".partial");
    QFile::remove(partial);
    if (sqlite3_open(QFile::encodeName(partial).constData(), &target) != SQLITE_OK) {
        const QString reason = sqliteMessage(target);
        sqlite3_close(target);
        throw StorageError(QStringLiteral("cannot create backup file %1: %2").arg(partial, reason));
    }
    sqlite3_backup *backup = sqlite3_backup_init(target, "main", source, "main");
    if (!backup) {
        const QString reason = sqliteMessage(target);
        sqlite3_close(target);
        QFile::remove(partial);
        throw StorageError(QStringLiteral("cannot start the backup: %1").arg(reason));
    }
    int result = SQLITE_OK;
    do {
        // A few pages per step: writers get the lock between steps. A write by another
        // connection restarts the copy, which SQLite does by itself.
        result = sqlite3_backup_step(backup, 256);
        if (result == SQLITE_BUSY || result == SQLITE_LOCKED) {
            QThread::msleep(5);
        }
    } while (result == SQLITE_OK || result == SQLITE_BUSY || result == SQLITE_LOCKED);
    const int pages = sqlite3_backup_pagecount(backup);
    sqlite3_backup_finish(backup);
    const QString reason = sqliteMessage(target);
    sqlite3_close(target);
    if (result != SQLITE_DONE) {
        QFile::remove(partial);
        throw StorageError(QStringLiteral("backup to %1 failed: %2").arg(destination, reason));
    }
    if (!QFile::rename(partial, destination)) {
        throw StorageError(
            QStringLiteral("cannot move the finished backup to %1").arg(destination));
    }
    return pages;
}

} // namespace digitdesk::storage
