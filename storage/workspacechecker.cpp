#include "storage/workspacechecker.h"

#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/workspace.h"

#include <QFile>

namespace digitdesk::storage {

WorkspaceCheckReport checkWorkspace(const Workspace &workspace)
{
    WorkspaceCheckReport report;
    {
        SqlQuery integrity(workspace.db(), QStringLiteral("PRAGMA integrity_check"),
                           QStringLiteral("run the SQLite integrity check"));
        integrity.exec();
        while (integrity.next()) {
            const QString line = integrity.value(0).toString();
            if (line != QStringLiteral("ok")) {
                report.problems << QStringLiteral("database: %1").arg(line);
            }
        }
    }
    {
        SqlQuery foreignKeys(workspace.db(), QStringLiteral("PRAGMA foreign_key_check"),
                             QStringLiteral("run the foreign key check"));
        foreignKeys.exec();
        while (foreignKeys.next()) {
            report.problems << QStringLiteral("database: row %1 of table %2 refers to a missing "
                                              "row of %3")
                                   .arg(foreignKeys.value(1).toString(),
                                        foreignKeys.value(0).toString(),
                                        foreignKeys.value(2).toString());
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
