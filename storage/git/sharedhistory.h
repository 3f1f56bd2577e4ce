#pragma once

#include "storage/datasetgit.h"
#include "storage/git/packedobjectwriter.h"

#include <git2/types.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace digitdesk::storage::git {

// refs/heads/shared: main with the history of every remote this repository pulled from joined
// in; what a push sends as the remote's main once there has been a pull. main itself never moves
// here: it stays this workspace's own versions, each the parent of the next, so committing,
// recovery and a model's commit id do not change meaning.
inline constexpr char SharedBranch[] = "refs/heads/shared";

// Whether `commit` is `tip` or one of its ancestors; false when either is not in the repository.
bool isContainedIn(git_repository *repository, const QString &commit, const QString &tip);

// The commits that refs/heads/shared must contain: main, shared as it is, and `fetchedMain` (a
// remote's main just fetched; empty: none), without duplicates and without any that another one
// contains. Empty when main does not exist yet.
QStringList sharedHeads(git_repository *repository, const QString &fetchedMain);

// Moves refs/heads/shared to a commit containing `heads` (sharedHeads): the one head itself, or a
// join commit whose first parent is main (the first head), whose other parents are the other
// heads and whose tree is main's: a version is a whole snapshot, so nothing is merged file by
// file. Only from the commit it was at (two pulls at once cannot lose one's join). Leaves things
// as they are when there is nothing to join (the one head is main and shared does not exist).
// Returns the commit a push sends as main.
QString moveSharedHistory(git_repository *repository, PackedObjectWriter &writer,
                          const QStringList &heads, const QByteArray &message,
                          const git_signature *author);

} // namespace digitdesk::storage::git
