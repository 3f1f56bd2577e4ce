#pragma once

#include <QString>
#include <QStringList>

#include <git2/oid.h>

namespace digitdesk::storage::git {

// Reads every object reachable from `commit` (its history, trees and blobs) through a freshly
// opened repository, so nothing comes from an earlier read's cache; libgit2 checks each
// object's content against its id. One line per missing, unreadable or corrupt object, naming
// the object and, below the root, its path.
QStringList checkReachableObjects(const QString &repositoryPath, const git_oid &commit);

// Loose objects (objects/??/*), packs (objects/pack/*.pack with their .idx) and their bytes
// (.pack plus .idx, as `git count-objects -v` counts size-pack).
struct ObjectFiles
{
    qint64 looseObjects = 0;
    qint64 packs = 0;
    qint64 packBytes = 0;
};
ObjectFiles countObjectFiles(const QString &repositoryPath);

} // namespace digitdesk::storage::git
