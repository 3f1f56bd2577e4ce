#pragma once

#include "storage/datasetgit.h"

#include <QHash>

#include <git2/types.h>

#include <vector>

namespace digitdesk::storage::git {

// The content of the file at `path` in the tree; throws when there is none.
QByteArray readTreeFile(git_repository *repository, const git_tree *root, const QString &path,
                        const QString &doing);

// Every file path of the tree that starts with `prefix`, sorted. Only the folders that can hold
// such paths are read.
// Every readable file under `prefix` with its content, in one walk of the tree.
QHash<QString, QByteArray> readTreeFiles(git_repository *repository, const git_tree *root,
                                         const QString &prefix, const QString &doing);
QStringList listTreeFiles(git_repository *repository, const git_tree *root, const QString &prefix,
                          const QString &doing);

// The file paths that differ between two trees (null: the empty tree), sorted.
std::vector<TreeDifference> diffTrees(git_repository *repository, git_tree *from, git_tree *to,
                                      const QString &doing);

} // namespace digitdesk::storage::git
