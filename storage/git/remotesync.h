#pragma once

#include "storage/datasetgit.h"
#include "storage/git/packedobjectwriter.h"

#include <git2/types.h>

#include <vector>

namespace digitdesk::storage::git {

// Pushes this repository's history as the remote's refs/heads/main (refs/heads/shared once a
// pull joined a remote's history in, else main) and, `withTags`, every own vN tag that the
// remote does not name yet, under the name PushedVersions gives, to `url` (a URL or a path to a
// bare repository) through an anonymous remote. Nothing is forced and nothing the remote has is
// renamed or moved back. When the remote's main holds commits that neither main nor
// refs/heads/shared contains, RemoteAhead is thrown before anything is sent. Versions committed
// since the last join are joined in first (`joinMessage`, `author`). Sends nothing when the remote
// has it all.
PushedVersions pushVersions(git_repository *repository, PackedObjectWriter &writer,
                            const QString &url, bool withTags, const QByteArray &joinMessage,
                            const git_signature *author);

// Fetches the remote's main as refs/remotes/<name>/main and its refs/tags/vN as
// refs/tags/<name>/vN (both forced: the remote is the authority on its own versions) and
// returns the remote's vN tags, named "<name>/vN", with their commits.
std::vector<GitTag> fetchVersions(git_repository *repository, const QString &url,
                                  const QString &name);

} // namespace digitdesk::storage::git
