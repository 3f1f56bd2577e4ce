#include "storage/onlinebackup.h"

#include "storage/private/handleowner.h"
#include "storage/storageerror.h"

#include <QFile>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QThread>
#include <QVariant>

#include <sqlite3.h>

#include <memory>

namespace digitdesk::storage {
namespace {

using SqliteDatabase = std::unique_ptr<sqlite3, FreeWith<sqlite3_close_v2>>;
using SqliteBackup = std::unique_ptr<sqlite3_backup, FreeWith<sqlite3_backup_finish>>;

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
    sqlite3 *source = sqliteHandle(db); // the connection's own handle, not ours to close
    const QString partial = destination + QStringLiteral(".partial");
    QFile::remove(partial);
    auto removePartial = qScopeGuard([&] { QFile::remove(partial); });
    SqliteDatabase target;
    {
        sqlite3 *opened = nullptr;
        const int result = sqlite3_open(QFile::encodeName(partial).constData(), &opened);
        target.reset(opened); // sqlite3_open hands out a handle to close even when it fails
        if (result != SQLITE_OK) {
            throw StorageError(QStringLiteral("cannot create backup file %1: %2")
                                   .arg(partial, sqliteMessage(target.get())));
        }
    }
    SqliteBackup backup(sqlite3_backup_init(target.get(), "main", source, "main"));
    if (!backup) {
        throw StorageError(
            QStringLiteral("cannot start the backup: %1").arg(sqliteMessage(target.get())));
    }
    int result = SQLITE_OK;
    do {
        // A few pages per step: writers get the lock between steps. A write by another
        // connection restarts the copy, which SQLite does by itself.
        result = sqlite3_backup_step(backup.get(), 256);
        if (result == SQLITE_BUSY || result == SQLITE_LOCKED) {
            QThread::msleep(5);
        }
    } while (result == SQLITE_OK || result == SQLITE_BUSY || result == SQLITE_LOCKED);
    const int pages = sqlite3_backup_pagecount(backup.get());
    backup.reset(); // finishing leaves the step's error, if any, on the target connection
    const QString reason = sqliteMessage(target.get());
    target.reset();
    if (result != SQLITE_DONE) {
        throw StorageError(QStringLiteral("backup to %1 failed: %2").arg(destination, reason));
    }
    if (!QFile::rename(partial, destination)) {
        throw StorageError(
            QStringLiteral("cannot move the finished backup to %1").arg(destination));
    }
    removePartial.dismiss();
    return pages;
}

} // namespace digitdesk::storage
