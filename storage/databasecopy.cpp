#include "storage/databasecopy.h"

#include "storage/connection.h"
#include "storage/migrations.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"

#include <QFileInfo>
#include <QSqlRecord>
#include <QStringList>

namespace digitdesk::storage {
namespace {

// The copy's own tables, in the order the SQLite migrations made them; schema_migrations is
// the copy's own record of how it was made.
QStringList tablesToCopy(const QSqlDatabase &copy)
{
    SqlQuery query(copy,
                   QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name"
                                  " NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
                                  " ORDER BY rowid"),
                   QStringLiteral("list the tables of the backup"));
    query.exec();
    QStringList tables;
    while (query.next()) {
        tables << query.value(0).toString();
    }
    return tables;
}

QStringList columnsOf(const QSqlDatabase &db, const QString &table)
{
    const QSqlRecord record = db.record(table);
    QStringList columns;
    for (int i = 0; i < record.count(); ++i) {
        columns << record.fieldName(i);
    }
    return columns;
}

// Table and column names come from the copy's own schema, never from outside input.
qint64 copyTable(const QSqlDatabase &source, const QSqlDatabase &copy, const QString &table)
{
    const QStringList columns = columnsOf(copy, table);
    if (columns != columnsOf(source, table)) {
        throw StorageError(QStringLiteral("cannot back up table %1: its columns differ between "
                                          "the database (%2) and this DigitDesk's schema (%3)")
                               .arg(table, columnsOf(source, table).join(QStringLiteral(", ")),
                                    columns.join(QStringLiteral(", "))));
    }
    const QString list = columns.join(QStringLiteral(", "));
    execStatement(copy, QStringLiteral("DELETE FROM %1").arg(table),
                  QStringLiteral("empty table %1 of the backup").arg(table));
    SqlQuery read(source, QStringLiteral("SELECT %1 FROM %2").arg(list, table),
                  QStringLiteral("read table %1").arg(table));
    read.raw().setForwardOnly(true);
    QStringList placeholders;
    for (int i = 0; i < columns.size(); ++i) {
        placeholders << QStringLiteral(":c%1").arg(i);
    }
    SqlQuery write(copy,
                   QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                       .arg(table, list, placeholders.join(QStringLiteral(", "))),
                   QStringLiteral("write table %1 of the backup").arg(table));
    read.exec();
    qint64 rows = 0;
    while (read.next()) {
        for (int i = 0; i < columns.size(); ++i) {
            write.bind(placeholders.at(i), read.value(i));
        }
        write.exec();
        ++rows;
    }
    return rows;
}

} // namespace

int copyDatabaseIntoSqlite(const QString &sourceLocation, const QString &destination)
{
    if (QFileInfo::exists(destination)) {
        throw StorageError(
            QStringLiteral("cannot back up into %1: the file exists already").arg(destination));
    }
    const Connection source(sourceLocation, Connection::Mode::ReadOnly);
    const Connection copy(destination);
    Migrations::apply(copy.db());
    execStatement(source.db(), QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                  QStringLiteral("begin the snapshot to back up"));
    const int version = Migrations::currentVersion(source.db());
    if (version != Migrations::latestVersion()) {
        throw StorageError(QStringLiteral("cannot back up %1: its schema version is %2, and this "
                                          "DigitDesk copies version %3 only")
                               .arg(source.databasePath())
                               .arg(version)
                               .arg(Migrations::latestVersion()));
    }
    // Rows go in table by table, so a label may arrive before its image: the foreign keys are
    // checked once, at the end.
    execStatement(copy.db(), QStringLiteral("PRAGMA foreign_keys=OFF"),
                  QStringLiteral("defer the backup's foreign keys"));
    {
        Transaction transaction(copy.db());
        for (const QString &table : tablesToCopy(copy.db())) {
            copyTable(source.db(), copy.db(), table);
        }
        transaction.commit();
    }
    execStatement(source.db(), QStringLiteral("COMMIT"), QStringLiteral("end the snapshot"));
    execStatement(copy.db(), QStringLiteral("PRAGMA foreign_keys=ON"),
                  QStringLiteral("turn the backup's foreign keys back on"));
    SqlQuery orphans(copy.db(), QStringLiteral("PRAGMA foreign_key_check"),
                     QStringLiteral("check the backup's foreign keys"));
    orphans.exec();
    if (orphans.next()) {
        throw StorageError(QStringLiteral("the backup of %1 is inconsistent: a row of %2 names a "
                                          "missing row of %3")
                               .arg(source.databasePath(), orphans.value(0).toString(),
                                    orphans.value(2).toString()));
    }
    SqlQuery pages(copy.db(), QStringLiteral("PRAGMA page_count"),
                   QStringLiteral("count the backup's pages"));
    pages.exec();
    return pages.next() ? pages.value(0).toInt() : 0;
}

} // namespace digitdesk::storage
