#include "storage/workspacechecker.h"

#include "storage/dialect.h"
#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/workspace.h"

#include <QFile>
#include <QSqlRecord>

namespace digitdesk::storage {

WorkspaceCheckReport checkWorkspace(const Workspace &workspace)
{
    WorkspaceCheckReport report;
    // SQLite checks its file here (integrity_check answers "ok" or one problem a row;
    // foreign_key_check a row per dangling reference); a PostgreSQL server keeps its own data
    // sound and enforces foreign keys on every write, so it has nothing to run.
    for (const QString &check : Dialect::of(workspace.db()).integrityChecks()) {
        SqlQuery query(workspace.db(), check, QStringLiteral("run the check %1").arg(check));
        query.exec();
        const bool oneColumn = query.raw().record().count() == 1;
        while (query.next()) {
            if (oneColumn) {
                const QString line = query.value(0).toString();
                if (line != QStringLiteral("ok")) {
                    report.problems << QStringLiteral("database: %1").arg(line);
                }
                continue;
            }
            report.problems << QStringLiteral("database: row %1 of table %2 refers to a missing "
                                              "row of %3")
                                   .arg(query.value(1).toString(), query.value(0).toString(),
                                        query.value(2).toString());
        }
    }
    const BlobStore &blobs = workspace.blobs();
    for (const QString &digest : ImageRepository(workspace.db()).originalDigests()) {
        ++report.blobsChecked;
        if (!blobs.contains(digest)) {
            report.problems << QStringLiteral("blob %1: missing from %2").arg(digest, blobs.root());
            continue;
        }
        const QString actual = BlobStore::digestOf(blobs.read(digest));
        if (actual != digest) {
            report.problems << QStringLiteral("blob %1: content is damaged (its SHA-256 is now %2)")
                                   .arg(blobs.pathOf(digest), actual);
        }
    }
    return report;
}

} // namespace digitdesk::storage
