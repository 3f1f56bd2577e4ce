#pragma once

#include "storage/datasetgit.h"

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::annotation {

// "v12" -> 12; 0 for anything else ("origin/v12", "v0", "v1x").
int ownVersionNumber(const QString &tag);

// A commit publishes its tag and moves main, then records the version in the database. A
// process killed in between leaves a vN tag that no row records: this takes each such tag back
// (main returns to the newest recorded version), so the next process sees the previous version.
// Checks without a lock first; only a disagreement takes the database's write lock, under which
// no commit can be between publishing and recording. Returns the tags taken back.
QStringList recoverUnrecordedVersions(const QSqlDatabase &db, storage::DatasetGit &git);
// The same, for a caller that holds the write lock already (storage::Transaction).
QStringList recoverUnrecordedVersionsLocked(const QSqlDatabase &db, storage::DatasetGit &git);

} // namespace digitdesk::annotation
