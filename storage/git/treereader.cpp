#include "storage/git/treereader.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"
#include "storage/storageerror.h"

#include <algorithm>

namespace digitdesk::storage::git {
namespace {

struct FileWalk
{
    QString folder; // where the walk starts, "images/"
    QString prefix;
    std::vector<std::pair<QString, git_oid>> files;
};

int collectFile(const char *root, const git_tree_entry *entry, void *payload)
{
    auto *walk = static_cast<FileWalk *>(payload);
    const QString path =
        walk->folder + QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
    if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
        const QString folder = path + QLatin1Char('/');
        const bool mayHoldMatches =
            folder.startsWith(walk->prefix) || walk->prefix.startsWith(folder);
        return mayHoldMatches ? 0 : 1; // 1: skip this folder
    }
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB && path.startsWith(walk->prefix)) {
        walk->files.emplace_back(path, *git_tree_entry_id(entry));
    }
    return 0;
}

// The files under `prefix` with their blob ids, walking only the folders that can hold them.
std::vector<std::pair<QString, git_oid>> filesUnder(git_repository *repository,
                                                    const git_tree *root, const QString &prefix,
                                                    const QString &doing)
{
    FileWalk walk{prefix.left(prefix.lastIndexOf(QLatin1Char('/')) + 1), prefix, {}};
    Tree folder;
    if (!walk.folder.isEmpty()) {
        TreeEntry entry;
        const int error =
            git_tree_entry_bypath(out(entry), root, walk.folder.chopped(1).toUtf8().constData());
        if (error == GIT_ENOTFOUND) {
            return {};
        }
        check(error, doing);
        if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
            return {};
        }
        check(git_tree_lookup(out(folder), repository, git_tree_entry_id(entry.get())), doing);
    }
    check(git_tree_walk(folder ? folder.get() : root, GIT_TREEWALK_PRE, collectFile, &walk), doing);
    return walk.files;
}

} // namespace

QHash<QString, QByteArray> readTreeFiles(git_repository *repository, const git_tree *root,
                                         const QString &prefix, const QString &doing)
{
    const auto files = filesUnder(repository, root, prefix, doing);
    QHash<QString, QByteArray> contents;
    contents.reserve(static_cast<qsizetype>(files.size()));
    for (const auto &[path, id] : files) {
        Blob blob;
        // An unreadable blob is left out; reading it alone says why.
        if (git_blob_lookup(out(blob), repository, &id) == 0) {
            contents.insert(path,
                            QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                       static_cast<qsizetype>(git_blob_rawsize(blob.get()))));
        }
    }
    return contents;
}

QByteArray readTreeFile(git_repository *repository, const git_tree *root, const QString &path,
                        const QString &doing)
{
    TreeEntry entry;
    const int error = git_tree_entry_bypath(out(entry), root, path.toUtf8().constData());
    if (error == GIT_ENOTFOUND) {
        throw StorageError(doing + QStringLiteral(": no such file"));
    }
    check(error, doing);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
        throw StorageError(doing + QStringLiteral(": it is not a file"));
    }
    Blob blob;
    check(git_blob_lookup(out(blob), repository, git_tree_entry_id(entry.get())), doing);
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                      static_cast<qsizetype>(git_blob_rawsize(blob.get())));
}

QStringList listTreeFiles(git_repository *repository, const git_tree *root, const QString &prefix,
                          const QString &doing)
{
    QStringList paths;
    for (const auto &[path, id] : filesUnder(repository, root, prefix, doing)) {
        paths << path;
    }
    paths.sort();
    return paths;
}

std::vector<TreeDifference> diffTrees(git_repository *repository, git_tree *from, git_tree *to,
                                      const QString &doing)
{
    // The init function rather than GIT_DIFF_OPTIONS_INIT, whose partial initialiser clang flags.
    git_diff_options options;
    check(git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION), doing);
    options.flags = GIT_DIFF_SKIP_BINARY_CHECK;
    Diff diff;
    check(git_diff_tree_to_tree(out(diff), repository, from, to, &options), doing);
    std::vector<TreeDifference> differences;
    for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        switch (delta->status) {
        case GIT_DELTA_ADDED:
            differences.push_back(
                {TreeDifference::Kind::Added, QString::fromUtf8(delta->new_file.path)});
            break;
        case GIT_DELTA_DELETED:
            differences.push_back(
                {TreeDifference::Kind::Deleted, QString::fromUtf8(delta->old_file.path)});
            break;
        default: // modified, or a file that changed type
            differences.push_back(
                {TreeDifference::Kind::Modified, QString::fromUtf8(delta->new_file.path)});
            break;
        }
    }
    std::sort(differences.begin(), differences.end(),
              [](const TreeDifference &a, const TreeDifference &b) { return a.path < b.path; });
    return differences;
}

} // namespace digitdesk::storage::git
