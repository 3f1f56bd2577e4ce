#pragma once

#include "storage/datasetgit.h"
#include "storage/git/packedobjectwriter.h"

#include <vector>

namespace digitdesk::storage::git {

// Writes the tree that is `base` (null: the empty tree) with `changes` applied, through
// `writer`, and returns its id. Only the folders on changed paths are rebuilt; every other
// subtree is reused by id. Removing a path that is not there changes nothing; a folder left
// empty disappears. A file may not replace a folder or the other way round, and a folder is
// not removed as if it were a file. `subject` names the commit in error messages.
git_oid writeChangedTree(git_repository *repository, PackedObjectWriter &writer,
                         const git_tree *base, const std::vector<TreeChange> &changes,
                         const QString &subject);

} // namespace digitdesk::storage::git
