#pragma once

#include "storage/datasetgit.h"

#include <git2/types.h>

#include <vector>

namespace digitdesk::storage::git {

// Pushes refs/heads/main and, `withTags`, every refs/tags/vN to `url` (a URL or a path to a
// bare repository) through an anonymous remote. Nothing is forced: a remote whose main has
// moved on, or which holds a different vN, refuses with the reason.
void pushVersions(git_repository *repository, const QString &url, bool withTags);

// Fetches the remote's main as refs/remotes/<name>/main and its refs/tags/vN as
// refs/tags/<name>/vN (both forced: the remote is the authority on its own versions) and
// returns the remote's vN tags, named "<name>/vN", with their commits.
std::vector<GitTag> fetchVersions(git_repository *repository, const QString &url,
                                  const QString &name);

} // namespace digitdesk::storage::git
