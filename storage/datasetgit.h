#pragma once

#include "storage/storageerror.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace digitdesk::storage {

// A change to a version's tree: the file at `path` gets `content`, or is removed when it has
// none. Paths use '/' ("images/ab/<sha256>.png", "labels.csv").
struct TreeChange
{
    QString path;
    std::optional<QByteArray> content;
};

struct GitSignature
{
    QString name;
    QString email;
    QDateTime when; // UTC
};

struct GitTag
{
    QString name;     // "v3", or "origin/v3" for one fetched from a remote
    QString commitId; // 40 hex digits
};

// A path whose content differs between two commits.
struct TreeDifference
{
    enum class Kind
    {
        Added,
        Deleted,
        Modified
    };
    Kind kind = Kind::Added;
    QString path;
};

// What a push changed on the remote.
struct PushedVersions
{
    QString mainCommit; // where the remote's main moved; empty when it had all of it already
    // Own tags sent, each with its name on the remote: its own ("v2"), or, where the remote's v2
    // is another workspace's version, followed by its commit's first 8 hex digits
    // ("v2-1a2b3c4d"). A version the remote names already, under any name, is not sent again.
    std::vector<std::pair<QString, QString>> tags;
};

// A push refused before anything was sent: the remote's main holds commits (another
// workspace's versions) that this repository's history does not contain: it must pull first.
class RemoteAhead final : public StorageError
{
public:
    using StorageError::StorageError;
};

// The dataset repository (WORKSPACE/dataset.git, bare) through libgit2, for dataset versions:
// plain values in and out, no libgit2 type or pointer outside storage/. Every failure is a
// StorageError saying what was being done and libgit2's message ("writing tree for v4: ...").
// New objects go into libgit2's in-memory object database (mempack) and reach the disk as one
// packfile per commit (and a small one per published tag), never as loose objects; content
// already in the repository is not written again.
// Where a commit is asked for, its id does, and so does a tag or branch name ("v3", "main").
// One DatasetGit per thread (libgit2 handles are not shared across threads); several, in one
// process or several, may use the same repository. A moved-from DatasetGit may only be
// destroyed or assigned to.
class DatasetGit final
{
public:
    // Opens the repository; creates it (bare, HEAD -> main) when `createIfMissing` and the folder
    // is absent or empty. Throws when the folder is not a bare git repository.
    explicit DatasetGit(const QString &repositoryPath, bool createIfMissing = false);
    ~DatasetGit();
    DatasetGit(DatasetGit &&) noexcept;
    DatasetGit &operator=(DatasetGit &&) noexcept;
    DatasetGit(const DatasetGit &) = delete;
    DatasetGit &operator=(const DatasetGit &) = delete;

    QString path() const;

    // Writes a commit whose tree is `parentCommit`'s (empty when none) with `changes` applied,
    // and returns its id. Moves no reference: the commit is invisible until `publish`.
    // Removing a path that is not there is no change; a later change to the same path wins; a
    // folder left empty disappears; a file may not replace a folder or the other way round, nor
    // a folder be removed as a file.
    // An invalid `author.when` means now.
    QString writeCommit(const QString &parentCommit, const std::vector<TreeChange> &changes,
                        const QString &message, const GitSignature &author);
    // Makes a written commit a version: the annotated tag `tag` is created, then refs/heads/main
    // moves to the commit, only from `expectedHead` (so two writers cannot both move it; empty:
    // main must not exist yet). Refused when the tag exists or main is elsewhere. The
    // caller records the version in its database after this; `unpublish` undoes it when that
    // never happened.
    void publish(const QString &commitId, const QString &expectedHead, const QString &tag,
                 const QString &tagMessage, const GitSignature &tagger);
    // Takes a version back (recovery after a crash between publish and the database): deletes
    // the tag and moves main back to `previousHead` (empty: no commit at all), unconditionally.
    // Either may already be done: running it twice is harmless.
    void unpublish(const QString &tag, const QString &previousHead);

    // Removes the lock files (HEAD.lock, refs/**.lock, packed-refs.lock) a writer killed in the
    // middle of moving a reference leaves behind; they would refuse every later move. Only to be
    // called while the caller holds the workspace's write lock, so no live writer owns them.
    // Returns the files removed.
    QStringList removeStaleLocks();

    // refs/heads/main's commit, empty when there is none yet.
    QString head() const;
    // The commit a tag name, branch or commit id names; throws when none.
    QString resolve(const QString &revision) const;
    // Every tag with its commit: own ones ("v2" before "v10") first, then fetched ones.
    std::vector<GitTag> tags() const;
    QString commitMessage(const QString &commitId) const;
    GitSignature commitAuthor(const QString &commitId) const;
    QString commitParent(const QString &commitId) const; // empty for the first

    // A file of a commit's tree; throws when it is not there.
    QByteArray readFile(const QString &commitId, const QString &path) const;
    // Every readable file under `prefix` with its content, read in one walk (an export or a
    // check of 60,000 images); a file that cannot be read is left out, `readFile` says why.
    QHash<QString, QByteArray> readFiles(const QString &commitId, const QString &prefix) const;
    // Every file path under `prefix` ("images/") in the commit's tree, sorted.
    QStringList listFiles(const QString &commitId, const QString &prefix = {}) const;
    // The paths that differ between two commits' trees, sorted by path; an empty commit stands
    // for the empty tree. No rename detection: a moved file is Deleted plus Added.
    std::vector<TreeDifference> diff(const QString &fromCommit, const QString &toCommit) const;

    // Reads every object reachable from the commit (commits, trees, blobs) and checks it
    // against its id; each problem names the object and, for a blob, its path.
    QStringList checkObjects(const QString &commitId) const;
    // How many loose objects and packs the repository holds (what `git count-objects -v` says;
    // packBytes counts each .pack with its .idx).
    struct ObjectCounts
    {
        qint64 looseObjects = 0;
        qint64 packs = 0;
        qint64 packBytes = 0;
    };
    ObjectCounts countObjects() const;

    // Pushes to a remote (a URL or a path to a bare repository) this repository's history as
    // its main, and with `withTags` the own vN tags it does not name yet. Once `joinFetched` has
    // joined a remote's history in, what is sent is refs/heads/shared (main stays this
    // workspace's own versions); versions committed since are joined in first, by `author`.
    // Throws RemoteAhead, having sent nothing, when the remote's main holds commits that were
    // not fetched and joined here. Nothing is forced: a remote's tag or main never moves back.
    PushedVersions push(const QString &remote, bool withTags, const GitSignature &author = {});
    // Fetches the remote's main and vN tags as refs/remotes/<name>/main and tags "<name>/vN";
    // returns the remote's vN tags as "<name>/vN". Anonymous: no credentials are offered.
    std::vector<GitTag> fetch(const QString &remote, const QString &name);
    // Joins the fetched refs/remotes/<name>/main into refs/heads/shared with main, so that the
    // next push carries both histories: a commit with main and the remote's main as parents
    // and main's tree, when neither contains the other. Moves no version, tag or main. Returns
    // the commit refs/heads/shared is at, empty when there is nothing to join (no own version
    // yet, or nothing fetched).
    QString joinFetched(const QString &name, const GitSignature &author);
    // refs/heads/shared's commit; empty when no remote history was ever joined in.
    QString shared() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace digitdesk::storage
