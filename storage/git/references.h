#pragma once

#include "storage/datasetgit.h"

#include <git2/types.h>

#include <vector>

namespace digitdesk::storage::git {

inline constexpr char MainBranch[] = "refs/heads/main";

// The commit the reference leads to (through annotated tags); empty when there is no such
// reference.
QString commitOfReference(git_repository *repository, const QString &referenceName);

// Every tag under refs/tags/ with the commit it names (tags of trees or blobs are left out):
// own tags ("v3") first, then each remote's ("origin/v3"), each by version number.
std::vector<GitTag> readTags(git_repository *repository);

// The order of readTags: own tags before remote ones, then by version number.
bool tagNameLess(const QString &a, const QString &b);

// "v3": a name this repository's versions use, which push and fetch carry.
bool isVersionTagName(const QString &name);

} // namespace digitdesk::storage::git
